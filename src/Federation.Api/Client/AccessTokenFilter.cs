using Federation.Local.Accounts;
using Federation.Protocol.Errors;
using Microsoft.AspNetCore.Http;

namespace Federation.Api.Client;

/// <summary>
/// Authenticates a Client-Server request by its access token (<c>Authorization: Bearer …</c>, or the deprecated
/// <c>access_token</c> query parameter): none → <c>401 M_MISSING_TOKEN</c>, unknown → <c>401 M_UNKNOWN_TOKEN</c>.
/// </summary>
public sealed class AccessTokenFilter(LocalAccountStore accounts) : IEndpointFilter
{
    private const string BearerPrefix = "Bearer ";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var token = TokenOf(http.Request)
            ?? throw new MatrixException(ErrorCode.MissingToken, "Missing access token", StatusCodes.Status401Unauthorized);
        var user = await accounts.FindByTokenAsync(token, http.RequestAborted).ConfigureAwait(false)
            ?? throw new MatrixException(ErrorCode.UnknownToken, "Unrecognised access token", StatusCodes.Status401Unauthorized);
        http.Features.Set(user);
        return await next(context).ConfigureAwait(false);
    }

    private static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.FirstOrDefault(h => h is not null && h.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase));
        if (header is not null)
        {
            var token = header[BearerPrefix.Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        var query = request.Query["access_token"].FirstOrDefault();
        return string.IsNullOrEmpty(query) ? null : query;
    }
}
