using Federation.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Federation.Api.Errors;

/// <summary>
/// Turns failures into Matrix error bodies: <see cref="MatrixException"/> keeps its errcode and status, a request the
/// framework could not read is <c>400 M_BAD_JSON</c> (or <c>413 M_TOO_LARGE</c>), anything else is logged and answered
/// <c>500 M_UNKNOWN</c> without internal detail.
/// </summary>
public sealed partial class MatrixErrorMiddleware(RequestDelegate next, ILogger<MatrixErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (MatrixException e) when (!context.Response.HasStarted)
        {
            await MatrixErrorResponse.WriteAsync(context, e.StatusCode, e.ErrorCode, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var tooLarge = e.StatusCode == StatusCodes.Status413PayloadTooLarge;
            await MatrixErrorResponse.WriteAsync(
                context,
                e.StatusCode,
                tooLarge ? ErrorCode.TooLarge : ErrorCode.BadJson,
                tooLarge ? "Request body too large" : "Malformed request: " + e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            LogUnhandled(logger, e, context.Request.Method, context.Request.Path);
            await MatrixErrorResponse.WriteAsync(context, 500, ErrorCode.Unknown, "Internal server error").ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled error serving {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
