using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Api.Server;
using Federation.Client.Keys;
using Federation.Protocol.Errors;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Federation.Api.Keys;

/// <summary>
/// The notary endpoints <c>GET /_matrix/key/v2/query/{serverName}</c> and <c>POST /_matrix/key/v2/query</c>: our own
/// keys, and the last verified key response of other servers, each countersigned by us. Unauthenticated.
/// </summary>
public static class KeyQueryEndpoints
{
    /// <summary>Most servers one POST may ask about.</summary>
    public const int MaxServersPerQuery = 100;

    public static IEndpointRouteBuilder MapKeyQueryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_matrix/key/v2/query/{serverName}", async (HttpContext context, string serverName, long? minimum_valid_until_ts) =>
        {
            var responses = await CollectAsync(context, [(serverName, minimum_valid_until_ts ?? 0)]).ConfigureAwait(false);
            return Results.Bytes(responses, "application/json");
        });
        endpoints.MapPost("/_matrix/key/v2/query", async (HttpContext context) =>
        {
            var requested = await ReadQueryAsync(context).ConfigureAwait(false);
            return Results.Bytes(await CollectAsync(context, requested).ConfigureAwait(false), "application/json");
        });
        return endpoints;
    }

    private static async Task<List<(string Server, long MinimumValidUntil)>> ReadQueryAsync(HttpContext context)
    {
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(context.Request.Body, new JsonDocumentOptions { MaxDepth = CanonicalJson.MaxDepth }, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new MatrixException(ErrorCode.NotJson, "Request body is not JSON: " + e.Message);
        }

        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object
                || !body.RootElement.TryGetProperty("server_keys", out var servers) || servers.ValueKind != JsonValueKind.Object)
            {
                throw new MatrixException(ErrorCode.BadJson, "'server_keys' must be an object of server names");
            }

            var requested = new List<(string, long)>();
            foreach (var server in servers.EnumerateObject())
            {
                if (server.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new MatrixException(ErrorCode.BadJson, $"'server_keys.{server.Name}' must be an object of key ids");
                }

                var minimum = server.Value.EnumerateObject()
                    .Select(key => key.Value.ValueKind == JsonValueKind.Object
                        && key.Value.TryGetProperty("minimum_valid_until_ts", out var ts) && ts.TryGetInt64(out var value) ? value : 0)
                    .DefaultIfEmpty(0)
                    .Max();
                requested.Add((server.Name, minimum));
            }

            if (requested.Count > MaxServersPerQuery)
            {
                throw new MatrixException(ErrorCode.LimitExceeded, $"At most {MaxServersPerQuery} servers per query");
            }

            return requested;
        }
    }

    private static async Task<byte[]> CollectAsync(HttpContext context, IReadOnlyList<(string Server, long MinimumValidUntil)> requested)
    {
        var services = context.RequestServices;
        var identity = services.GetRequiredService<ServerIdentity>();
        var keys = services.GetRequiredService<IRemoteServerKeys>();
        var time = services.GetRequiredService<TimeProvider>();
        var validity = services.GetRequiredService<IOptions<ServerOptions>>().Value.KeyValidityPeriod;

        var results = new JsonArray();
        foreach (var (server, minimum) in requested)
        {
            if (server == identity.ServerName)
            {
                results.Add(JsonNode.Parse(ServerKeyResponse.Build(identity, time.GetUtcNow() + validity)));
                continue;
            }

            var response = await keys.GetResponseAsync(server, DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, minimum)), context.RequestAborted)
                .ConfigureAwait(false);
            if (response is not null)
            {
                var countersigned = JsonNode.Parse(response.Json.GetRawText())!.AsObject();
                JsonSigning.Sign(countersigned, identity.ServerName, identity.SigningKey);
                results.Add(countersigned);
            }
        }

        return CanonicalJson.Encode(JsonSigning.ToElement(new JsonObject { ["server_keys"] = results }));
    }
}
