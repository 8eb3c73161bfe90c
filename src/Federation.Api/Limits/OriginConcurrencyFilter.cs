using System.Globalization;
using Federation.Api.Authentication;
using Federation.Protocol.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Federation.Api.Limits;

/// <summary>
/// Behind X-Matrix authentication (the origin is proven, so no one can spend another server's allowance): takes one of
/// the origin's request slots for the rest of the request, or answers <c>429 M_LIMIT_EXCEEDED</c> with
/// <c>retry_after_ms</c> when it has none left.
/// </summary>
public sealed class OriginConcurrencyFilter(OriginConcurrencyLimiter limiter, IOptions<InboundLimitsOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var origin = FederationRequest.Of(context.HttpContext).Origin;
        using var slot = limiter.TryEnter(origin);
        if (slot is null)
        {
            var retryAfter = options.Value.RetryAfter;
            context.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Results.Json(
                new Dictionary<string, object>
                {
                    ["errcode"] = ErrorCode.LimitExceeded,
                    ["error"] = $"Too many requests from {origin} in progress",
                    ["retry_after_ms"] = (long)retryAfter.TotalMilliseconds,
                },
                statusCode: StatusCodes.Status429TooManyRequests);
        }

        // The slot is held until the endpoint's result is written, so a large answer counts too.
        var result = await next(context).ConfigureAwait(false);
        if (result is IResult answer)
        {
            await answer.ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            return Results.Empty;
        }

        return result;
    }
}
