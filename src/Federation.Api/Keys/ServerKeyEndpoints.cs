using Federation.Api.Server;
using Federation.Protocol.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Federation.Api.Keys;

/// <summary>Serves our own keys at <c>/_matrix/key/v2/server</c> (unauthenticated, as the spec requires).</summary>
public static class ServerKeyEndpoints
{
    public static IEndpointRouteBuilder MapServerKeyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_matrix/key/v2/server", Serve);
        // Deprecated form with a key id; still asked for by older servers.
        endpoints.MapGet("/_matrix/key/v2/server/{keyId}", Serve);
        return endpoints;
    }

    private static IResult Serve(HttpContext context)
    {
        var services = context.RequestServices;
        var identity = services.GetRequiredService<ServerIdentity>();
        var options = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var body = ServerKeyResponse.Build(identity, time.GetUtcNow() + options.KeyValidityPeriod);
        return Results.Bytes(body, "application/json");
    }
}
