using Federation.Local.Outbound;
using Federation.Resync;
using Federation.Resync.Divergence;
using Federation.Storage;
using Federation.Storage.Dag;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Federation.Cli.Admin;

/// <summary>Runs an admin command against a server's database (read-only: nothing here writes).</summary>
internal static class AdminCommands
{
    /// <summary>Exit code of <c>room state</c> when the re-resolved state differs from the stored one.</summary>
    public const int StateDiffers = 3;

    public static async Task<int> RunAsync(AdminArguments arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (AdminDatabase.ConnectionString(arguments, out var error) is not { } connectionString)
        {
            await stderr.WriteLineAsync($"error: {error}").ConfigureAwait(false);
            return CliApp.UsageError;
        }

        await using var dataSource = StoreDataSource.Create(connectionString);
        var store = new DagStore(dataSource);
        var reports = new DivergenceReportStore(dataSource, Options.Create(new ResyncOptions()));
        try
        {
            return arguments.Command switch
            {
                "room inspect" => await new RoomInspection(store, reports, stdout).RunAsync(arguments.RoomId!, cancellationToken).ConfigureAwait(false),
                "room export" => await new RoomExport(store, stderr).RunAsync(arguments, stdout, cancellationToken).ConfigureAwait(false),
                "room state" => await new RoomStateCheck(store, stdout).RunAsync(arguments, cancellationToken).ConfigureAwait(false),
                "room fingerprint" => await new RoomFingerprint(store, reports, stdout).RunAsync(arguments, cancellationToken).ConfigureAwait(false),
                _ => await new DestinationsReport(store, new OutboundQueueReader(dataSource), TimeProvider.System, stdout)
                    .RunAsync(cancellationToken).ConfigureAwait(false),
            };
        }
        catch (NpgsqlException e)
        {
            await stderr.WriteLineAsync($"error: database: {e.Message}").ConfigureAwait(false);
            return CliApp.InvalidInput;
        }
    }

    /// <summary>Says the room is not held; the admin commands' common failure.</summary>
    public static async Task<int> UnknownRoomAsync(TextWriter writer, string roomId)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteLineAsync($"error: this server holds no room {roomId}").ConfigureAwait(false);
        return CliApp.InvalidInput;
    }
}
