using Federation.Testing.Services;
using Microsoft.Extensions.Hosting;

namespace Federation.Local.Tests;

/// <summary>
/// The local side wired as the host wires it (federation client, ingest, local services) over a test database, with a
/// fake clock, without HTTP endpoints. The outbound sender runs once <see cref="StartSenderAsync"/> is called.
/// </summary>
public sealed class LocalHarness(string connectionString, string serverName = "local.test", IDictionary<string, string?>? settings = null)
    : ServiceHarness(
        connectionString,
        serverName,
        Defaults.Concat(settings ?? new Dictionary<string, string?>()),
        (services, configuration) => services.AddFederationLocal(configuration))
{
    private static readonly KeyValuePair<string, string?>[] Defaults =
    [
        new("LocalUsers:RegistrationSharedSecret", "a-test-registration-secret"),
        new("LocalUsers:PasswordHashIterations", "1000"),
        new("OutboundFederation:RetryBaseDelay", "00:00:10"),
    ];

    private IHostedService[] _started = [];

    public string User(string localpart) => $"@{localpart}:{Identity.ServerName}";

    /// <summary>Starts the hosted services (the outbound sender).</summary>
    public async Task StartSenderAsync()
    {
        _started = [.. GetAll<IHostedService>()];
        foreach (var service in _started)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var service in _started)
        {
            await service.StopAsync(CancellationToken.None);
        }

        await base.DisposeAsync();
    }
}
