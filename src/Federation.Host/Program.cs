using Federation.Api;
using Federation.Api.Metrics;
using Federation.Api.Server;
using Federation.Client;
using Federation.Protocol.Keys;
using Federation.Host.Admin;
using Federation.Host.Database;
using Federation.Host.Health;
using Federation.Host.Keys;
using Federation.Host.Listening;
using Federation.Host.Observability;
using Federation.Ingest;
using Federation.Ingest.Queue;
using Federation.Local;
using Federation.Resync;
using Federation.Resync.Divergence;
using Federation.Resync.Holes;
using Federation.Resync.Reconciliation;
using Federation.Resync.Recovery;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Storage.Dag.Transactions;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

var builder = WebApplication.CreateBuilder(args);

if (ListenAddressPolicy.ConfiguredUrls(builder.Configuration).Count == 0)
{
    builder.WebHost.UseUrls(ListenAddressPolicy.DefaultUrl);
}

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddOptions<ServerOptions>()
    .Bind(builder.Configuration.GetSection(ServerOptions.SectionName))
    .ValidateDataAnnotations()
    .Validate(o => o.AllowPlainHttp || ListenAddressPolicy.PlainHttpOnNonLoopback(ListenAddressPolicy.ConfiguredUrls(builder.Configuration)).Count == 0,
        "Plain HTTP on a non-loopback address: configure HTTPS (Kestrel:Endpoints:*:Certificate) or set Server:AllowPlainHttp behind a TLS proxy")
    .ValidateOnStart();
builder.Services.AddOptions<DatabaseOptions>()
    .Bind(builder.Configuration.GetSection(DatabaseOptions.SectionName))
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();

builder.Services.AddSingleton(services =>
{
    var options = services.GetRequiredService<IOptions<ServerOptions>>().Value;
    var path = Path.GetFullPath(options.SigningKeyPath, builder.Environment.ContentRootPath);
    return new ServerIdentity(options.ServerName, SigningKeyFile.LoadOrCreate(path));
});
builder.Services.AddFederationClient(builder.Configuration);
builder.Services.AddFederationApi(builder.Configuration);
builder.Services.AddIngest(builder.Configuration);
builder.Services.AddResync(builder.Configuration);
// Beside the signing key, whose relative path is also taken from the content root.
builder.Services.PostConfigure<ResyncOptions>(options => options.RecoveryManifestPath = options.RecoveryManifestPath.Length == 0
    ? ""
    : Path.GetFullPath(options.RecoveryManifestPath, builder.Environment.ContentRootPath));

// The database is started before the first request; the data source is created when first needed after that.
builder.Services.AddSingleton(services => StoreDataSource.Create(services.GetRequiredService<DatabaseConnection>().ConnectionString));
builder.Services.AddOptions<DagStoreOptions>()
    .Bind(builder.Configuration.GetSection(DagStoreOptions.SectionName))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton(services => new DagStore(
    services.GetRequiredService<NpgsqlDataSource>(),
    services.GetRequiredService<TimeProvider>(),
    services.GetRequiredService<IOptions<DagStoreOptions>>().Value));
builder.Services.AddSingleton(services =>
    new ReceivedTransactionStore(services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton<DatabaseConnection>();
builder.Services.AddHostedService<DatabaseStartup>();
// Hosted services start in order: this one only once the database is migrated.
builder.Services.AddHostedService(services => services.GetRequiredService<InboundQueueWorker>());
// Rooms of the recovery manifest that the database lacks are rebuilt from peers; the manifest is written after that.
builder.Services.AddHostedService(services => services.GetRequiredService<RoomRecoveryService>());
builder.Services.AddHostedService(services => services.GetRequiredService<RecoveryManifestWriter>());
// The periodic set reconciliation with each room's resident servers (Resync:Reconciliation), after the database start-up.
builder.Services.AddHostedService(services => services.GetRequiredService<AntiEntropyService>());
// Probes rooms for state divergence against their resident servers (after the database start-up).
builder.Services.AddHostedService(services => services.GetRequiredService<DivergenceProbeService>());
// Filling holes (missing events) from the room's servers (Resync:Holes), after the database start-up.
builder.Services.AddHostedService(services => services.GetRequiredService<HoleRepairService>());
// After the database start-up, so the outbound sender's first read finds the database running.
builder.Services.AddFederationLocal(builder.Configuration);
builder.Services.AddSingleton<PrometheusMetrics>();
// The admin pages listen on a listener of their own (Admin:Urls, loopback unless Admin:AllowRemote); started after the
// database, whose store they read.
builder.Services.AddOptions<AdminOptions>().Bind(builder.Configuration.GetSection(AdminOptions.SectionName)).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
builder.Services.AddSingleton<AdminServer>();
builder.Services.AddHostedService(services => services.GetRequiredService<AdminServer>());
// Metrics: the queue-depth gauges sample the database (after its start-up); OTLP export when an endpoint is set.
builder.Services.AddOptions<ObservabilityOptions>()
    .Bind(builder.Configuration.GetSection(ObservabilityOptions.SectionName))
    .ValidateDataAnnotations()
    .Validate(o => o.OtlpEndpoint.Length == 0 || Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out _),
        $"{ObservabilityOptions.SectionName}:OtlpEndpoint must be an absolute URL when set")
    .ValidateOnStart();
builder.Services.AddSingleton<QueueDepthMetrics>();
builder.Services.AddHostedService(services => services.GetRequiredService<QueueDepthMetrics>());
builder.Services.AddHostedService<OtlpMetricsExport>();
builder.Services.AddHealthChecks()
    .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
    .AddCheck<RoomRecoveryHealthCheck>("room-recovery", tags: ["ready"]);

var app = builder.Build();

// Load the signing key before listening, so a bad key file stops the start instead of the first request; and start
// collecting metrics from the first request on.
_ = app.Services.GetRequiredService<ServerIdentity>();
_ = app.Services.GetRequiredService<PrometheusMetrics>();

app.UseMatrixErrors();
// Liveness: the process serves requests. Readiness: it can also do its work (database up, schema current).
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.MapGet("/metrics", (PrometheusMetrics metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4"));
app.MapFederationApi();
app.Run();

/// <summary>The entry point, visible to in-process tests.</summary>
public partial class Program;
