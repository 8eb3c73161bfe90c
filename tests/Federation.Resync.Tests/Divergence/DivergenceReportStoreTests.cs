using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Divergence;
using Federation.Resync.Reconciliation;
using Federation.Testing.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Federation.Resync.Tests.Divergence;

public sealed class DivergenceReportStoreTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly StateFingerprint Ours = new(StateDigest.Empty, 0);
    private static readonly StateFingerprint Theirs = StateAccumulator.Of([new StateEntry("m.room.create", "", "$c")]).Fingerprint();

    [Fact]
    public async Task A_report_reads_back_with_its_class_first_divergent_event_majority_and_repair()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var store = new DivergenceReportStore(dataSource, Options.Create(new ResyncOptions()));
        var verdict = DivergenceClassifier.Classify(Ours, [PeerAnswer.WithDigest("a.test", Theirs), PeerAnswer.WithDigest("b.test", Theirs)], 2);
        var after = DivergenceClassifier.Classify(Theirs, [PeerAnswer.WithDigest("a.test", Theirs), PeerAnswer.WithDigest("b.test", Theirs)], 2);
        var repair = new DivergenceRepair(
            DivergenceRepairOutcome.Converged, 1_000, UntilTs: null, [new RepairAttempt("a.test", ReconciliationStatus.Completed, 4, 4, null)], after);
        var probedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        await store.RecordAsync(
            new DivergenceReport("!read:test", "$e", probedAt, verdict, "a.test", new BisectionResult(BisectionOutcome.Found, "$m", "$t3", false, 5), repair),
            CancellationToken.None);

        var stored = (await store.LatestAsync("!read:test", CancellationToken.None))!;
        Assert.Equal(probedAt, stored.ProbedAt);
        Assert.Equal("we_are_minority", stored.Class);
        Assert.Equal("$m", stored.FirstDivergentEventId);
        Assert.Equal("converged", stored.RepairOutcome);
        Assert.Equal(Theirs.Digest.ToString(), stored.Report["majority_digest"]!.GetValue<string>());
        Assert.Equal(["a.test", "b.test"], stored.Report["digests"]![Theirs.Digest.ToString()]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("$t3", stored.Report["bisection"]!["last_agreeing"]!.GetValue<string>());
        Assert.Equal(4, stored.Report["repair"]!["attempts"]![0]!["stored"]!.GetValue<int>());
        Assert.Equal("in_sync", stored.Report["repair"]!["verdict_after"]!["class"]!.GetValue<string>());
        Assert.Null(await store.LatestAsync("!never-probed:test", CancellationToken.None));
    }

    [Fact]
    public async Task Only_the_newest_reports_of_a_room_are_kept()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var store = new DivergenceReportStore(dataSource, Options.Create(new ResyncOptions { DivergenceReportsPerRoom = 3 }));
        var verdict = DivergenceClassifier.Classify(Ours, [PeerAnswer.WithDigest("a.test", Ours), PeerAnswer.WithDigest("b.test", Ours)], 2);

        for (var i = 0; i < 5; i++)
        {
            await store.RecordAsync(new DivergenceReport("!bounded:test", $"$e{i}", DateTimeOffset.UnixEpoch, verdict, null, null), CancellationToken.None);
        }

        await store.RecordAsync(new DivergenceReport("!other:test", "$o", DateTimeOffset.UnixEpoch, verdict, null, null), CancellationToken.None);

        var kept = await store.HistoryAsync("!bounded:test", 10, CancellationToken.None);
        Assert.Equal(["$e4", "$e3", "$e2"], kept.Select(r => r.Report["probe_event"]!.GetValue<string>()));
        Assert.Single(await store.HistoryAsync("!other:test", 10, CancellationToken.None));
        Assert.All(kept, r => Assert.Null(r.RepairOutcome));
    }
}
