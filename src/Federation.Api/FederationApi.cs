using Federation.Api.Authentication;
using Federation.Api.Client;
using Federation.Api.Errors;
using Federation.Api.Joins;
using Federation.Api.Keys;
using Federation.Api.Limits;
using Federation.Api.Rooms;
using Federation.Api.Send;
using Federation.Api.Server;
using Federation.Ingest.State;
using Federation.Protocol.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api;

/// <summary>Wires the federation HTTP API into an ASP.NET Core application.</summary>
public static class FederationApi
{
    /// <summary>Registers the API's own services (the DAG store, ingest and client are registered by the host).</summary>
    public static IServiceCollection AddFederationApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InboundLimitsOptions>()
            .Bind(configuration.GetSection(InboundLimitsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<OriginConcurrencyLimiter>();
        services.AddSingleton<OriginConcurrencyFilter>();
        services.AddSingleton<XMatrixAuthenticationFilter>();
        services.AddSingleton<StateCalculator>();
        services.AddSingleton<RoomAccess>();
        services.AddSingleton<AccessTokenFilter>();
        return services;
    }

    /// <summary>Adds Matrix error handling; call before routing.</summary>
    public static IApplicationBuilder UseMatrixErrors(this IApplicationBuilder app) => app.UseMiddleware<MatrixErrorMiddleware>();

    /// <summary>Maps every federation endpoint, and answers anything else with <c>M_UNRECOGNIZED</c>.</summary>
    public static IEndpointRouteBuilder MapFederationApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapVersionEndpoints();
        endpoints.MapServerKeyEndpoints();
        endpoints.MapKeyQueryEndpoints();

        // Everything below is only for servers that prove who they are, and then only so many requests at once each.
        var authenticated = endpoints.MapGroup("")
            .AddEndpointFilter<XMatrixAuthenticationFilter>()
            .AddEndpointFilter<OriginConcurrencyFilter>();
        authenticated.MapSendTransaction();
        authenticated.MapRoomReadEndpoints();
        authenticated.MapReconcileEndpoints();
        authenticated.MapStateAccumulatorEndpoints();
        authenticated.MapJoinEndpoints();

        // The Client-Server endpoints of local users, authenticated by access token.
        endpoints.MapClientApi();
        endpoints.MapFallback(context =>
            MatrixErrorResponse.WriteAsync(context, StatusCodes.Status404NotFound, ErrorCode.Unrecognized, "Unrecognized request"));
        return endpoints;
    }
}
