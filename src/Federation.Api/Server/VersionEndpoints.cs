using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Server;

/// <summary><c>GET /_matrix/federation/v1/version</c>: the implementation's name and version (unauthenticated).</summary>
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
            () => Results.Json(new { server = new { name = ImplementationName, version = Version } }));
        return endpoints;
    }
}
