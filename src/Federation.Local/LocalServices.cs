using Federation.Ingest.State;
using Federation.Local.Accounts;
using Federation.Local.Events;
using Federation.Local.Joins;
using Federation.Local.Outbound;
using Federation.Local.Rooms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Federation.Local;

/// <summary>
/// Registers the local side: accounts, local events, rooms, the outbound queue and its sender, remote joins. Needs the
/// host's <c>NpgsqlDataSource</c>, <c>DagStore</c>, <c>ServerIdentity</c>, <c>TimeProvider</c>, federation client and
/// <c>PduIngestor</c>.
/// </summary>
public static class LocalServices
{
    public static IServiceCollection AddFederationLocal(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LocalUsersOptions>()
            .Bind(configuration.GetSection(LocalUsersOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(
                o => o.RegistrationSharedSecret is null || o.RegistrationSharedSecret.Length == 0 || o.RegistrationSharedSecret.Length >= 16,
                $"{LocalUsersOptions.SectionName}:{nameof(LocalUsersOptions.RegistrationSharedSecret)} must be at least 16 characters when set")
            .ValidateOnStart();
        services.AddOptions<OutboundOptions>()
            .Bind(configuration.GetSection(OutboundOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.RetryMaxDelay >= o.RetryBaseDelay, $"{OutboundOptions.SectionName}:RetryMaxDelay must not be below RetryBaseDelay")
            .ValidateOnStart();

        services.TryAddSingleton<StateCalculator>();
        services.AddSingleton<LocalAccountStore>();
        services.AddSingleton<SharedSecretRegistration>();
        services.AddSingleton<RoomLocks>();
        services.AddSingleton<RoomServers>();
        services.AddSingleton<OutboundWakeups>();
        services.AddSingleton<OutboundPdus>();
        services.AddHostedService<OutboundSender>();
        services.AddSingleton<LocalEventBuilder>();
        services.AddSingleton<LocalRooms>();
        services.AddSingleton<ClientTransactions>();
        services.AddSingleton<RoomInvites>();
        services.AddSingleton<RoomCreator>();
        services.AddSingleton<SendJoinResponseVerifier>();
        services.AddSingleton<RemoteJoiner>();
        services.AddSingleton<RoomMemberships>();
        services.AddSingleton<RoomMerger>();
        services.AddSingleton<ResidentJoins>();
        return services;
    }
}
