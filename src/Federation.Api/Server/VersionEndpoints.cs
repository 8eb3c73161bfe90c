using System.Reflection;
using Federation.Api.Rooms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Server;

/// <summary><c>GET /_matrix/federation/v1/version</c>: the implementation's name and version (unauthenticated), and the
/// unstable features it serves (MSC4500 advertises its state accumulator there).</summary>
public static class VersionEndpoints
{
    public const string ImplementationName = "Federation";

    private static readonly string Version =
        typeof(VersionEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public static IEndpointRouteBuilder MapVersionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(
            "/_matrix/federation/v1/version",
            () => Results.Json(new
            {
                server = new { name = ImplementationName, version = Version },
                unstable_features = new Dictionary<string, bool> { [StateAccumulatorEndpoints.UnstableFeature] = true },
            }));
        return endpoints;
    }
}
