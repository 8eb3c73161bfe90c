using System.Text.Json;
using Federation.Resync;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Divergence;
using Federation.Resync.Reconciliation;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Federation.Cli.Tests;

public sealed class RoomCommandsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("federation-cli-admin-").FullName;
    private NpgsqlDataSource _dataSource = null!;
    private DagStore _store = null!;

    public Task InitializeAsync()
    {
        _dataSource = StoreDataSource.Create(database.ConnectionString);
        _store = new DagStore(_dataSource, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Inspect_shows_version_counts_state_extremities_holes_and_flagged_events()
    {
        await AdminTestRoom.PersistAsync(_store, "!inspect:test");

        var (code, output, error) = await CliRun.RunAsync("room", "inspect", "!inspect:test", "--database", database.ConnectionString);

        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Contains("room !inspect:test (version 10)", output, StringComparison.Ordinal);
        Assert.Contains("events: 12 (accepted 10, soft-failed 1, rejected 1, outliers 1); max depth 8", output, StringComparison.Ordinal);
        Assert.Contains("current state (resolved over 2 forward extremities)", output, StringComparison.Ordinal);
        Assert.Contains("  m.room.member: 2", output, StringComparison.Ordinal);
        Assert.Contains("  join 2: @alice:test, @bob:other", output, StringComparison.Ordinal);
        Assert.Contains("power levels ($pl): {\"users\":{\"@alice:test\":100}}", output, StringComparison.Ordinal);
        Assert.Contains("forward extremities (2):", output, StringComparison.Ordinal);
        Assert.Contains("  $bad  depth 8  m.room.name  @alice:test", output, StringComparison.Ordinal);
        Assert.Contains("  $x  depth 8  m.room.message  @alice:test", output, StringComparison.Ordinal);
        Assert.Contains("holes (1):\n  $gone  discovered ", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("rejected     $tb  m.room.topic  @bob:other: sender's power level 0 is below state_default 50", output, StringComparison.Ordinal);
        Assert.Contains("soft-failed  $sf  m.room.message  @bob:other", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_shows_each_hole_with_its_attempts_servers_asked_next_attempt_and_whether_it_is_lost()
    {
        await AdminTestRoom.PersistAsync(_store, "!holes:test");
        var nextAttempt = new DateTimeOffset(2099, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await _store.RecordHoleFetchFailureAsync("!holes:test", "$gone", "origin.example", "404", nextAttempt);
        await _store.RecordHoleFetchFailureAsync("!holes:test", "$gone", "other.example", "timeout", nextAttempt);

        var pending = await CliRun.RunAsync("room", "inspect", "!holes:test", "--database", database.ConnectionString);
        await _store.GiveUpHoleAsync("!holes:test", "$gone", "not found within 1.00:00:00");
        var lost = await CliRun.RunAsync("room", "inspect", "!holes:test", "--database", database.ConnectionString);

        Assert.Equal(0, pending.Code);
        Assert.Contains(
            "attempts 2, next attempt 2099-01-02 03:04:05Z, asked origin.example other.example, last error: timeout", pending.Out, StringComparison.Ordinal);
        Assert.Equal(0, lost.Code);
        Assert.Matches(
            @"\$gone  discovered [0-9: Z-]+, attempts 2, lost [0-9: Z-]+, asked origin.example other.example, last error: not found within 1.00:00:00",
            lost.Out);
    }

    [Fact]
    public async Task Fingerprint_prints_the_current_digest_each_extremity_and_the_digests_around_an_event()
    {
        await AdminTestRoom.PersistAsync(_store, "!fingerprint:test");
        var afterTopic = await _store.GetStateFingerprintAsync("!fingerprint:test", "$x", StatePosition.After);

        var current = await CliRun.RunAsync("room", "fingerprint", "!fingerprint:test", "--database", database.ConnectionString);
        var at = await CliRun.RunAsync("room", "fingerprint", "!fingerprint:test", "--event", "$x", "--database", database.ConnectionString);
        var outlier = await CliRun.RunAsync("room", "fingerprint", "!fingerprint:test", "--event", "$nothing", "--database", database.ConnectionString);
        var misplaced = await CliRun.RunAsync("room", "inspect", "!fingerprint:test", "--event", "$x", "--database", database.ConnectionString);

        Assert.Equal(0, current.Code);
        Assert.Matches("current state: [0-9a-f]{64} \\(\\d+ entries; over 2 forward extremities\\)", current.Out);
        Assert.Contains($"  after $x: {afterTopic!.Digest} ({afterTopic.Count} entries)", current.Out, StringComparison.Ordinal);
        Assert.Contains("  after $bad: ", current.Out, StringComparison.Ordinal);
        Assert.Equal(0, at.Code);
        Assert.Contains($"after  $x: {afterTopic.Digest}", at.Out, StringComparison.Ordinal);
        Assert.Matches("before \\$x: [0-9a-f]{64} ", at.Out);
        Assert.Equal(1, outlier.Code);
        Assert.Contains("holds no state at $nothing", outlier.Out, StringComparison.Ordinal);
        Assert.Equal(2, misplaced.Code);
        Assert.Contains("--event is an option of room fingerprint", misplaced.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_and_fingerprint_show_the_latest_divergence_report_with_its_majority_first_divergent_event_and_repair()
    {
        await AdminTestRoom.PersistAsync(_store, "!diverged:test");
        await AdminTestRoom.PersistAsync(_store, "!unprobed:test");
        var ours = new StateFingerprint(StateDigest.Empty, 0);
        var theirs = (await _store.GetStateFingerprintAsync("!diverged:test", "$x", StatePosition.After))!;
        var majority = new StateFingerprint(theirs.Digest, theirs.Count);
        var verdict = DivergenceClassifier.Classify(ours, [PeerAnswer.WithDigest("a.test", majority), PeerAnswer.WithDigest("b.test", majority)], 2);
        var repair = new DivergenceRepair(
            DivergenceRepairOutcome.StillMinority,
            0,
            UntilTs: null,
            [new RepairAttempt("a.test", ReconciliationStatus.Completed, 2, 2, null)],
            DivergenceClassifier.Classify(ours, [PeerAnswer.WithDigest("a.test", majority), PeerAnswer.WithDigest("b.test", majority)], 2));
        await new DivergenceReportStore(_dataSource, Options.Create(new ResyncOptions())).RecordAsync(
            new DivergenceReport(
                "!diverged:test",
                "$x",
                new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
                verdict,
                "a.test",
                new BisectionResult(BisectionOutcome.Found, "$m", "$ta", PeerLacksEvent: false, Probes: 4),
                repair),
            CancellationToken.None);

        var inspect = await CliRun.RunAsync("room", "inspect", "!diverged:test", "--database", database.ConnectionString);
        var fingerprint = await CliRun.RunAsync("room", "fingerprint", "!diverged:test", "--database", database.ConnectionString);
        var unprobed = await CliRun.RunAsync("room", "inspect", "!unprobed:test", "--database", database.ConnectionString);

        foreach (var run in new[] { inspect, fingerprint })
        {
            Assert.Equal(0, run.Code);
            Assert.Contains("latest divergence report: we_are_minority at $x, probed 2026-01-02 03:04:05Z", run.Out, StringComparison.Ordinal);
            Assert.Contains("  majority servers: a.test b.test", run.Out, StringComparison.Ordinal);
            Assert.Contains("  first divergent event: $m (Found against a.test; last agreeing $ta)", run.Out, StringComparison.Ordinal);
            Assert.Contains(
                "  repair: still_minority (a.test Completed, 2 lacked, 2 stored); current state after it: we_are_minority", run.Out, StringComparison.Ordinal);
        }

        Assert.Contains("latest divergence report: none", unprobed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_room_is_an_error_naming_it()
    {
        var (code, _, error) = await CliRun.RunAsync("room", "inspect", "!nowhere:test", "--database", database.ConnectionString);

        Assert.Equal(1, code);
        Assert.Contains("holds no room !nowhere:test", error + (await CliRun.RunAsync("room", "export", "!nowhere:test", "--database", database.ConnectionString)).Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_agrees_with_a_correctly_stored_state_and_names_the_differences_of_a_wrong_one()
    {
        await AdminTestRoom.PersistAsync(_store, "!state:test");

        var same = await CliRun.RunAsync("room", "state", "!state:test", "$m", "--database", database.ConnectionString);
        var scratch = await CliRun.RunAsync("room", "state", "!state:test", "$m", "--from-scratch", "--database", database.ConnectionString);
        var wrong = await CliRun.RunAsync("room", "state", "!state:test", "$bad", "--database", database.ConnectionString);
        var hole = await CliRun.RunAsync("room", "state", "!state:test", "$x", "--database", database.ConnectionString);

        Assert.Equal(0, same.Code);
        Assert.Contains("re-resolved from the stored states after its 2 prev events", same.Out, StringComparison.Ordinal);
        Assert.Contains("same:", same.Out, StringComparison.Ordinal);
        Assert.Equal(0, scratch.Code);
        Assert.Contains("recomputed over the whole DAG below it", scratch.Out, StringComparison.Ordinal);
        Assert.Equal(3, wrong.Code);
        Assert.Contains("1 differences", wrong.Out, StringComparison.Ordinal);
        Assert.Contains("  m.room.topic \"\": $tb -> $ta", wrong.Out, StringComparison.Ordinal);
        Assert.Equal(1, hole.Code);
        Assert.Contains("prev event $gone has no stored state", hole.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_writes_a_document_the_state_command_reads_back_with_the_stored_state()
    {
        await AdminTestRoom.PersistAsync(_store, "!export:test");
        var file = Path.Combine(_dir, "export.json");

        var export = await CliRun.RunAsync("room", "export", "!export:test", "--out", file, "--page-size", "5", "--database", database.ConnectionString);
        var readBack = await CliRun.RunAsync("state", file, "--at", "$m");

        Assert.Equal(0, export.Code);
        Assert.Contains("exported 5 of 12 events", export.Err, StringComparison.Ordinal);
        Assert.Contains("exported 12 events of !export:test", export.Err, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(file));
        var root = document.RootElement;
        Assert.Equal("10", root.GetProperty("room_version").GetString());
        Assert.Equal(12, root.GetProperty("events").GetArrayLength());
        Assert.Equal("sender's power level 0 is below state_default 50", root.GetProperty("rejected").GetProperty("$tb").GetString());
        Assert.Equal(["$sf"], root.GetProperty("soft_failed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["$out"], root.GetProperty("outliers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["$gone"], root.GetProperty("holes").EnumerateArray().Select(e => e.GetString()));

        Assert.Equal(0, readBack.Code);
        var stored = await _store.GetStateIdsAsync("!export:test", "$m", StatePosition.Before);
        using var state = JsonDocument.Parse(readBack.Out);
        Assert.Equal(
            stored!.Order(StringComparer.Ordinal),
            state.RootElement.GetProperty("state").EnumerateArray().Select(e => e[2].GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Export_without_out_prints_the_document()
    {
        await AdminTestRoom.PersistAsync(_store, "!stdout:test");

        var (code, output, _) = await CliRun.RunAsync("room", "export", "!stdout:test", "--database", database.ConnectionString);

        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("!stdout:test", document.RootElement.GetProperty("room_id").GetString());
    }
}
