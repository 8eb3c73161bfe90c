using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Federation.Cli.Admin;
using Federation.StateResolution;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Documents;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;

namespace Federation.Cli;

/// <summary>The <c>federation</c> command line: <c>resolve</c> and <c>state</c> over room documents, and admin commands over a server's database.</summary>
internal static class CliApp
{
    public const int Success = 0;
    public const int InvalidInput = 1;
    public const int UsageError = 2;

    internal const string Usage = """
        usage:
          federation resolve FILE [--stats] [--repeat N]
          federation state FILE --at EVENT_ID [--after] [--trust-dag] [--stats] [--repeat N]
          federation room inspect ROOM_ID [DATABASE]
          federation room export ROOM_ID [--out FILE] [--page-size N] [DATABASE]
          federation room state ROOM_ID EVENT_ID [--from-scratch] [DATABASE]
          federation room fingerprint ROOM_ID [--event EVENT_ID] [DATABASE]
          federation destinations [DATABASE]

        resolve  FILE is {"room_version": "10", "events": [...], "state_sets": [[[type, state_key, event_id], ...], ...]}.
                 Prints the resolved state.
        state    FILE is {"room_version": "10", "events": [...]}. Prints the state before EVENT_ID (or after it with
                 --after), computed over the prev_events DAG. An event that fails the auth rules against the state
                 before it is rejected and leaves the state unchanged; with --trust-dag every event is taken as
                 accepted (state resolution's own iterative auth checks still run).

        Events are PDU-shaped objects carrying their own event_id (trusted: no hash or signature checks);
        prev_events/auth_events may be plain ids or [id, {hashes}] pairs; other top-level keys are ignored.
        An event WITHOUT an "auth_events" key gets the auth events the auth-event selection rules pick from the state
        before it (for `resolve`, that state is computed with --trust-dag semantics); one without "depth" gets
        1 + the largest depth of its prev events.

        Output: {"state": [[type, state_key, event_id], ...]} sorted by type, then state_key (ordinal).

        --stats     after the result, print one JSON line to stderr: time spent resolving (parsing excluded),
                    resolutions run, peak memory.
        --repeat N  run the resolution N times in one process (the first run loads the graph; later runs are warm).

        Admin commands read a server's database (read-only). DATABASE is --database CONNECTION_STRING or
        --settings APPSETTINGS_FILE (its Database:ConnectionString); without either, the Database__ConnectionString
        environment variable.
        room inspect   version, event counts, current state (entries per type, members by membership, power levels),
                       forward extremities, holes, rejected and soft-failed events with reasons, and the latest
                       divergence report (class, majority servers, first divergent event, repair).
        room export    the room's DAG as a FILE for resolve/state (to stdout without --out; progress on stderr).
        room state     re-runs state resolution for the state before EVENT_ID (from its prev events' stored states, or
                       with --from-scratch over the whole DAG below it) and prints the differences to the stored state.
                       Exit code 3 when they differ.
        room fingerprint  our MSC4500 state digests (lthash16, BLAKE2b-256 hex) and entry counts: of the current
                       state and after each forward extremity, or before and after EVENT_ID with --event. A state
                       group stored before fingerprints existed gets its fingerprint computed and stored (a cache).
                       Then the latest divergence report, as in room inspect.
        destinations   destinations with undelivered events in the outbound queue, and holes in fetch back-off.

        Exit codes: 0 success, 1 invalid input (the message names the problem and the event), 2 usage error.
        """;

    private static readonly JsonSerializerOptions OutputJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await (args.Length == 0 ? stderr : stdout).WriteLineAsync(Usage).ConfigureAwait(false);
            return args.Length == 0 ? UsageError : Success;
        }

        if (AdminArguments.IsAdminCommand(args))
        {
            if (!AdminArguments.TryParse(args, out var admin, out var adminError))
            {
                await stderr.WriteLineAsync($"error: {adminError}\n\n{Usage}").ConfigureAwait(false);
                return UsageError;
            }

            return await AdminCommands.RunAsync(admin, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }

        if (!CliOptions.TryParse(args, out var options, out var usageError))
        {
            await stderr.WriteLineAsync($"error: {usageError}\n\n{Usage}").ConfigureAwait(false);
            return UsageError;
        }

        try
        {
            return await RunAsync(options, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        catch (StateResolutionException e)
        {
            await stderr.WriteLineAsync($"error: {options.File}: {e.Message}").ConfigureAwait(false);
            return InvalidInput;
        }
    }

    private static async Task<int> RunAsync(CliOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        RoomDocument document;
        try
        {
            var bytes = await File.ReadAllBytesAsync(options.File, cancellationToken).ConfigureAwait(false);
            using var json = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
            document = RoomDocument.Parse(json.RootElement);
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"error: cannot read {options.File}: {e.Message}").ConfigureAwait(false);
            return InvalidInput;
        }
        catch (UnauthorizedAccessException e)
        {
            await stderr.WriteLineAsync($"error: cannot read {options.File}: {e.Message}").ConfigureAwait(false);
            return InvalidInput;
        }
        catch (JsonException e)
        {
            await stderr.WriteLineAsync($"error: {options.File} is not valid JSON: {e.Message}").ConfigureAwait(false);
            return InvalidInput;
        }

        if (options.Command == "resolve" && document.StateSets is null)
        {
            throw new StateResolutionException("'state_sets' is required for resolve");
        }

        var stats = new ResolutionStats();
        var mode = options.Command == "resolve" || options.TrustDag ? DagMode.TrustDag : DagMode.RejectUnauthorised;
        var session = await RoomSession.BuildAsync(document, mode, null, cancellationToken).ConfigureAwait(false);

        // Timing covers resolving only: every run starts from the built events (a fresh DAG calculator for `state`);
        // the first run also loads the graph, later runs are warm.
        var at = options.At;
        var total = new Stopwatch();
        StateMap result = StateMap.Empty;
        double firstRunMs = 0;
        for (var run = 0; run < options.Repeat; run++)
        {
            total.Start();
            if (options.Command == "resolve")
            {
                result = new StateResolver(session.Graph, stats).Resolve(session.StateSets);
            }
            else
            {
                var dag = new DagStateCalculator(session.Graph, mode, stats);
                result = options.After
                    ? await dag.StateAfterAsync(at!, cancellationToken).ConfigureAwait(false)
                    : await dag.StateBeforeAsync(at!, cancellationToken).ConfigureAwait(false);
            }

            total.Stop();
            if (run == 0)
            {
                firstRunMs = total.Elapsed.TotalMilliseconds;
            }
        }

        total.Stop();
        await stdout.WriteAsync(FormatState(session.Graph, result)).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (options.Stats)
        {
            await stderr.WriteLineAsync(FormatStats(total.Elapsed.TotalMilliseconds, firstRunMs, options.Repeat, stats)).ConfigureAwait(false);
        }

        return Success;
    }

    /// <summary>The output form: one entry per line, sorted by type then state key.</summary>
    internal static string FormatState(RoomGraph graph, StateMap state)
    {
        var entries = graph.ToEntries(state);
        var text = new StringBuilder("{\"state\": [");
        for (var i = 0; i < entries.Count; i++)
        {
            var (key, eventId) = entries[i];
            text.Append(i == 0 ? "\n  [" : ",\n  [")
                .Append(JsonSerializer.Serialize(key.Type, OutputJson)).Append(", ")
                .Append(JsonSerializer.Serialize(key.Key, OutputJson)).Append(", ")
                .Append(JsonSerializer.Serialize(eventId, OutputJson)).Append(']');
        }

        text.Append(entries.Count == 0 ? "]}\n" : "\n]}\n");
        return text.ToString();
    }

    private static string FormatStats(double totalMs, double firstRunMs, int repeat, ResolutionStats stats)
    {
        using var process = Process.GetCurrentProcess();
        var warm = repeat > 1 ? (totalMs - firstRunMs) / (repeat - 1) : firstRunMs;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"wall_ms\": {totalMs:F3}, \"repeat\": {repeat}, \"first_run_ms\": {firstRunMs:F3}, \"warm_run_ms\": {warm:F3}, " +
            $"\"resolutions\": {stats.Resolutions}, \"conflicted_keys\": {stats.ConflictedKeys}, \"auth_difference\": {stats.AuthDifference}, " +
            $"\"conflicted_subgraph\": {stats.ConflictedSubgraph}, \"full_conflicted_set\": {stats.FullConflictedSet}, " +
            $"\"power_events\": {stats.PowerEvents}, \"auth_checks\": {stats.AuthChecks}, " +
            $"\"peak_working_set_bytes\": {process.PeakWorkingSet64}, \"allocated_bytes\": {GC.GetTotalAllocatedBytes()}}}");
    }
}
