using Federation.Client.Discovery;
using Federation.Client.Http;
using Federation.Client.Keys;
using Federation.Client.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Federation.Client;

/// <summary>Registers the outbound federation client. Needs a <see cref="TimeProvider"/> and a <c>ServerIdentity</c> registered.</summary>
public static class FederationClientServices
{
    private const string WellKnownClient = "federation-well-known";
    private const string FederationHttpClient = "federation";

    public static IServiceCollection AddFederationClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FederationClientOptions>()
            .Bind(configuration.GetSection(FederationClientOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(
                o => o.Destinations.Values.All(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"),
                $"{FederationClientOptions.SectionName}:{nameof(FederationClientOptions.Destinations)} values must be absolute http(s) URLs")
            .Validate(
                o => string.IsNullOrEmpty(o.TrustedCaCertificatePath) || File.Exists(o.TrustedCaCertificatePath),
                $"{FederationClientOptions.SectionName}:{nameof(FederationClientOptions.TrustedCaCertificatePath)} names a file that does not exist")
            .ValidateOnStart();

        services.AddHttpClient(WellKnownClient, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(services => Handler(services, allowRedirects: true));
        services.AddHttpClient(FederationHttpClient, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => Handler(services, allowRedirects: false));

        services.AddSingleton<IServerResolver>(services => new ServerDiscovery(
            services.GetRequiredService<IHttpClientFactory>().CreateClient(WellKnownClient),
            services.GetRequiredService<IOptions<FederationClientOptions>>(),
            services.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DestinationPipelines>();
        services.AddSingleton(services => ActivatorUtilities.CreateInstance<FederationClient>(
            services, services.GetRequiredService<IHttpClientFactory>().CreateClient(FederationHttpClient)));
        services.AddSingleton<IRemoteServerKeys, RemoteServerKeys>();
        return services;
    }

    private static SocketsHttpHandler Handler(IServiceProvider services, bool allowRedirects)
    {
        var options = services.GetRequiredService<IOptions<FederationClientOptions>>().Value;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = allowRedirects,
            MaxAutomaticRedirections = 5,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = OutboundAddressPolicy.For(options).ConnectAsync,
        };
        if (TrustedCertificates.CallbackFor(options.TrustedCaCertificatePath) is { } callback)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = callback;
        }

        return handler;
    }
}
