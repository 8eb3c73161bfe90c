using Federation.Client.Reconciliation;
using Federation.Ingest.Gaps;
using Federation.Ingest.StateHashes;
using Federation.Resync.Divergence;
using Federation.Resync.Holes;
using Federation.Resync.Reconciliation;
using Federation.Resync.Recovery;
using Federation.Resync.Rooms;
using Federation.Resync.StateHashes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Federation.Resync;

/// <summary>
/// Registers re-sync with peers; it needs the DAG store, the federation client and the ingest pipeline. Background
/// services are registered, not started: the host adds them once the database is migrated.
/// </summary>
public static class ResyncServices
{
    public static IServiceCollection AddResync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ResyncOptions>()
            .Bind(configuration.GetSection(ResyncOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<JoinedMembers>();
        services.TryAddSingleton<RecoveryManifestBuilder>();
        services.TryAddSingleton<RecoveryManifestWriter>();
        services.TryAddSingleton<RoomRebuilder>();
        services.TryAddSingleton<RoomRecoveryService>();

        // Set reconciliation of a room's events (docs/resync.md, "Set reconciliation").
        services.AddOptions<ReconciliationOptions>()
            .Bind(configuration.GetSection(ReconciliationOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<ReconcileClient>();
        services.TryAddSingleton<EventSetReconciler>();
        services.TryAddSingleton(s => new ReconciliationPeers(
            s.GetRequiredService<IOptions<ReconciliationOptions>>(), s.GetRequiredService<TimeProvider>(), new Random()));
        services.TryAddSingleton<AntiEntropyService>();
        services.Replace(ServiceDescriptor.Singleton<ILargeGapFiller, ReconcilingGapFiller>());

        // State fingerprints and divergence detection.
        services.AddSingleton<FingerprintRateLimiter>();
        services.AddSingleton<CurrentFingerprintReader>();
        services.AddSingleton<RemoteFingerprints>();
        services.AddSingleton<DivergenceReports>();
        services.AddSingleton<DivergenceReportStore>();
        services.AddSingleton<RemoteCurrentDigests>();
        services.AddSingleton<RepairBudget>();
        services.AddSingleton<DivergenceRepairer>();
        services.AddSingleton<DivergenceDetector>();
        services.AddSingleton<DivergenceProbeService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDivergenceProbeRequests, MismatchProbes>());

        // Repair of holes (docs/resync.md, "Hole lifecycle").
        services.AddOptions<HoleRepairOptions>()
            .Bind(configuration.GetSection(HoleRepairOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<HoleRepairService>();
        return services;
    }
}
