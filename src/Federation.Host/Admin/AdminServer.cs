using Federation.Local.Rooms;
using Federation.Resync.Divergence;
using Federation.Storage.Dag;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Federation.Host.Admin;

/// <summary>
/// A second, small web server inside the process, on <c>Admin:Urls</c> only, serving the admin pages over the main
/// server's store. Being a server of its own (not extra routes on the federation listener) keeps the pages off the
/// federation address whatever the federation listeners are, and keeps that listener's configuration untouched.
/// </summary>
public sealed partial class AdminServer(IOptions<AdminOptions> options, IServiceProvider services, ILogger<AdminServer> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The addresses the admin server listens on once started (ports resolved), empty when it is off.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = AdminOptionsValidator.AdminUrls(options.Value);
        if (urls.Count == 0)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls([.. urls]);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(services.GetRequiredService<DagStore>());
        builder.Services.AddSingleton(services.GetRequiredService<TimeProvider>());
        builder.Services.AddSingleton(services.GetRequiredService<DivergenceReportStore>());
        builder.Services.AddSingleton(services.GetRequiredService<RoomMerger>());
        _app = builder.Build();
        _app.MapAdminPages();
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        Addresses = [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
        var listening = string.Join(", ", Addresses);
        LogListening(logger, listening);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Admin pages listening on {Addresses}")]
    private static partial void LogListening(ILogger logger, string addresses);
}
