using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Client;

/// <summary>Maps the Client-Server endpoints of the local side (see docs/local-api.md).</summary>
public static class ClientApi
{
    public static IEndpointRouteBuilder MapClientApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapVersionsEndpoint();
        endpoints.MapRegistrationEndpoints();

        // Everything below acts as a local user named by an access token.
        var authenticated = endpoints.MapGroup("").AddEndpointFilter<AccessTokenFilter>();
        authenticated.MapWhoAmIEndpoint();
        authenticated.MapRoomEndpoints();
        authenticated.MapMembershipEndpoints();
        authenticated.MapExtremitiesEndpoint();
        return endpoints;
    }
}
