using Federation.Client.Http;
using Federation.Client.Keys;
using Federation.Protocol.Keys;
using Federation.Testing.Time;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Client.Tests;

/// <summary>The outbound client as the server wires it, with a fake clock and fixed destinations.</summary>
internal sealed class ClientHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public ClientHarness(IDictionary<string, string?> settings, string serverName = "us.test")
    {
        Identity = new ServerIdentity(serverName, SigningKey.Generate("us"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Identity);
        services.AddFederationClient(configuration);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public FakeTimeProvider Time { get; } = new();

    public ServerIdentity Identity { get; }

    public FederationClient Client => _services.GetRequiredService<FederationClient>();

    public IRemoteServerKeys Keys => _services.GetRequiredService<IRemoteServerKeys>();

    public static Dictionary<string, string?> Destinations(params (string Name, Uri Address)[] servers)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["FederationClient:RetryBaseDelay"] = "00:00:00",
        };
        foreach (var (name, address) in servers)
        {
            settings[$"FederationClient:Destinations:{name}"] = address.ToString();
        }

        return settings;
    }

    public void Dispose() => _services.Dispose();
}
