using System.Text.Json;
using Federation.Client.Keys;
using Federation.Local.Outbound;
using Federation.Protocol.Authentication;
using Federation.Protocol.Errors;
using Federation.Protocol.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Authentication;

/// <summary>
/// Authenticates a federation request by its <c>X-Matrix</c> Authorization header(s): the header must parse (else
/// 400), name us as destination when it names one, and carry a signature that verifies with a current key of the
/// origin over <c>{method, uri, origin, destination, content}</c> (else 401). Every failure is <c>M_UNAUTHORIZED</c>.
/// </summary>
public sealed class XMatrixAuthenticationFilter(ServerIdentity identity, IRemoteServerKeys keys, TimeProvider time) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var headers = http.Request.Headers.Authorization
            .Where(h => h is not null && h.StartsWith(XMatrixAuthorization.Scheme, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        if (headers.Length == 0)
        {
            throw Unauthorized("Missing X-Matrix Authorization header");
        }

        var authorizations = new List<XMatrixAuthorization>(headers.Length);
        foreach (var header in headers)
        {
            if (!XMatrixAuthorization.TryParse(header, out var authorization, out var error))
            {
                throw new MatrixException(ErrorCode.Unauthorized, error, StatusCodes.Status400BadRequest);
            }

            authorizations.Add(authorization);
        }

        var origin = authorizations[0].Origin;
        if (authorizations.Any(a => a.Origin != origin))
        {
            throw new MatrixException(ErrorCode.Unauthorized, "X-Matrix headers name different origins", StatusCodes.Status400BadRequest);
        }

        if (authorizations.Any(a => a.Destination is not null && a.Destination != identity.ServerName))
        {
            throw Unauthorized("X-Matrix destination is not this server");
        }

        var body = await ReadBodyAsync(http).ConfigureAwait(false);
        // The signature covers the request target exactly as sent; hosts that do not record it (in-process test
        // servers) leave it empty, and then the decoded path is the best reconstruction.
        var rawTarget = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var target = string.IsNullOrEmpty(rawTarget) ? http.Request.PathBase + http.Request.Path + http.Request.QueryString : rawTarget;
        var now = time.GetUtcNow();
        var verified = false;
        foreach (var authorization in authorizations)
        {
            var key = await keys.GetAsync(origin, authorization.KeyId, now, http.RequestAborted).ConfigureAwait(false);
            // Old keys only ever verify events from before they expired, never requests.
            if (key is { ExpiredAt: null }
                && RequestSigning.Verify(authorization, http.Request.Method, target, identity.ServerName, body?.RootElement, key.PublicKey))
            {
                verified = true;
                break;
            }
        }

        if (!verified)
        {
            body?.Dispose();
            throw Unauthorized($"No valid signature from {origin} on this request");
        }

        // A server that signs requests to us is up: anything we are backing off from sending it goes now.
        http.RequestServices.GetService<OutboundWakeups>()?.ServerUp(origin);
        http.Features.Set(new FederationRequest(origin, body));
        if (body is not null)
        {
            http.Response.RegisterForDispose(body);
        }

        return await next(context).ConfigureAwait(false);
    }

    private static MatrixException Unauthorized(string message) =>
        new(ErrorCode.Unauthorized, message, StatusCodes.Status401Unauthorized);

    private static async Task<JsonDocument?> ReadBodyAsync(HttpContext http)
    {
        var canHaveBody = http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (http.Request.ContentLength > 0 || http.Request.Headers.ContainsKey("Transfer-Encoding"));
        if (http.Request.ContentLength is 0 || !canHaveBody)
        {
            return null;
        }

        try
        {
            return await JsonDocument.ParseAsync(http.Request.Body, new JsonDocumentOptions { MaxDepth = Protocol.Json.CanonicalJson.MaxDepth }, http.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new MatrixException(ErrorCode.NotJson, "Request body is not JSON: " + e.Message);
        }
    }
}
