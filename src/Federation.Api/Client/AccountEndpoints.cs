using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Client;

/// <summary><c>GET /_matrix/client/versions</c> (open) and <c>GET /_matrix/client/v3/account/whoami</c> (token).</summary>
public static class AccountEndpoints
{
    /// <summary>The Client-Server API versions whose endpoints used here behave as this server implements them.</summary>
    private static readonly string[] Versions = ["r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11", "v1.12"];

    public static IEndpointRouteBuilder MapVersionsEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_matrix/client/versions", () => ClientJson.Ok(new JsonObject
        {
            ["versions"] = new JsonArray([.. Versions.Select(v => (JsonNode)v)]),
            ["unstable_features"] = new JsonObject(),
        }));
        return endpoints;
    }

    public static IEndpointRouteBuilder MapWhoAmIEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_matrix/client/v3/account/whoami", (HttpContext context) =>
        {
            var user = ClientUser.Of(context);
            return ClientJson.Ok(new JsonObject { ["user_id"] = user.UserId, ["device_id"] = user.DeviceId, ["is_guest"] = false });
        });
        return endpoints;
    }
}
