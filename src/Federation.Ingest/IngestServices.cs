using Federation.Ingest.Batching;
using Federation.Ingest.Extremities;
using Federation.Ingest.Gaps;
using Federation.Ingest.Holes;
using Federation.Ingest.Outliers;
using Federation.Ingest.Queue;
using Federation.Ingest.Remote;
using Federation.Ingest.State;
using Federation.Ingest.StateHashes;
using Federation.Storage.Dag;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Federation.Ingest;

/// <summary>
/// Registers the receive pipeline; it needs the DAG store, an <c>NpgsqlDataSource</c>, the federation client and the
/// remote keys. The <see cref="Queue.InboundQueueWorker"/> is registered, not started: the host adds it as a hosted
/// service once the database is migrated.
/// </summary>
public static class IngestServices
{
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestOptions>()
            .Bind(configuration.GetSection(IngestOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<StateCalculator>();
        services.TryAddSingleton<RemoteEventVerifier>();
        services.TryAddSingleton<RemoteRoomReader>();
        services.TryAddSingleton<HoleSnapshotFetcher>();
        services.TryAddSingleton<HoleStateCalculator>();
        services.TryAddSingleton<OutlierPersister>();
        services.TryAddSingleton<ExtremityPruner>();
        services.TryAddSingleton<ILargeGapFiller, NoLargeGapFiller>();
        services.TryAddSingleton<PduIngestor>();
        services.TryAddSingleton(services => new SettledEventCache(services.GetRequiredService<DagStore>()));
        services.TryAddSingleton<QueueRunIngestor>();
        services.TryAddSingleton<InboundPduStore>();
        services.TryAddSingleton<InboundQueueWorker>();
        services.TryAddSingleton<StateHashRecord>();
        services.TryAddSingleton<StateHashChecker>();
        return services;
    }
}
