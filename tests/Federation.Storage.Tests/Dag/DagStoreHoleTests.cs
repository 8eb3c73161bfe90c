using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreHoleTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_missing_prev_event_is_recorded_as_a_hole_when_first_referenced()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$e", Alice, ["$j", "$gone"], ["$c", "$j"]);
        var discovered = Clock.GetUtcNow();

        await PersistAsync(After(room["$e"], "$j"));

        var hole = Assert.Single(await Store.GetHolesAsync(room.RoomId));
        Assert.Equal(new MissingEvent("$gone", discovered, 0, null, null, null, [], null), hole with { AskedServers = [] });
        Assert.Empty(hole.AskedServers);
        Assert.Equal(["$gone"], (await Store.GetHolesAsync(room.RoomId, dueOnly: true)).Select(h => h.EventId));
    }

    [Fact]
    public async Task Failed_fetches_count_attempts_remember_servers_and_back_off_doubling()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$e", Alice, ["$gone"], ["$c", "$j"]);
        await PersistAsync(After(room["$e"], "$j"));

        var first = await Store.RecordHoleFetchFailureAsync(room.RoomId, "$gone", "a.test", "timeout");
        var second = await Store.RecordHoleFetchFailureAsync(room.RoomId, "$gone", "b.test", "404");
        await Store.RecordHoleFetchFailureAsync(room.RoomId, "$gone", "a.test", "404");

        var now = Clock.GetUtcNow();
        Assert.Equal(now + TimeSpan.FromMinutes(1), first!.NextAttemptAt);
        Assert.Equal(now + TimeSpan.FromMinutes(2), second!.NextAttemptAt);
        var hole = Assert.Single(await Store.GetHolesAsync(room.RoomId));
        Assert.Equal(3, hole.Attempts);
        Assert.Equal(now + TimeSpan.FromMinutes(4), hole.NextAttemptAt);
        Assert.Equal(["a.test", "b.test"], hole.AskedServers);
        Assert.Equal("404", hole.LastError);
        Assert.Equal(now, hole.LastAttemptAt);
        Assert.Empty(await Store.GetHolesAsync(room.RoomId, dueOnly: true));

        Clock.Advance(TimeSpan.FromMinutes(4));

        Assert.Single(await Store.GetHolesAsync(room.RoomId, dueOnly: true));
    }

    [Fact]
    public async Task A_failure_may_set_the_next_attempt_and_the_referrers_of_a_hole_are_listed_first_persisted_first()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$first", Alice, ["$gone"], ["$c", "$j"]);
        room.Message("$second", Alice, ["$j", "$gone"], ["$c", "$j"]);
        await PersistAsync(After(room["$first"], "$j"));
        await PersistAsync(After(room["$second"], "$j"));
        var next = Clock.GetUtcNow() + TimeSpan.FromSeconds(42);

        var failed = await Store.RecordHoleFetchFailureAsync(room.RoomId, "$gone", "a.test", "404", next);

        Assert.Equal(next, failed!.NextAttemptAt);
        Assert.Equal(["$first", "$second"], await Store.GetHoleReferrersAsync(room.RoomId, "$gone"));
        Assert.Empty(await Store.GetHoleReferrersAsync(room.RoomId, "$j"));
        Assert.Empty(await Store.GetHoleReferrersAsync("!unknown:test", "$gone"));
    }

    [Fact]
    public async Task A_hole_is_given_up_after_the_attempt_limit_or_when_told_and_stays_recorded()
    {
        var (_, store) = NewStore(new DagStoreOptions { MissingEventMaxAttempts = 2 });
        var room = await NewStartedRoomAsync(store);
        room.Message("$e", Alice, ["$gone", "$also-gone"], ["$c", "$j"]);
        await store.PersistEventsAsync([After(room["$e"], "$j")]);

        await store.RecordHoleFetchFailureAsync(room.RoomId, "$gone", "a.test", "404");
        var exhausted = await store.RecordHoleFetchFailureAsync(room.RoomId, "$gone", "a.test", "404");
        var abandoned = await store.GiveUpHoleAsync(room.RoomId, "$also-gone", "nobody has it");
        Clock.Advance(TimeSpan.FromDays(30));

        Assert.Equal(Clock.GetUtcNow() - TimeSpan.FromDays(30), exhausted!.GivenUpAt);
        Assert.Equal("nobody has it", abandoned!.LastError);
        Assert.NotNull(abandoned.GivenUpAt);
        Assert.Empty(await store.GetHolesAsync(room.RoomId, dueOnly: true));
        Assert.Equal(2, (await store.GetHolesAsync(room.RoomId)).Count);
        Assert.Null(await store.RecordHoleFetchFailureAsync(room.RoomId, "$not-a-hole", "a.test", "x"));
    }

    [Fact]
    public async Task Of_two_processes_claiming_a_due_hole_at_once_exactly_one_gets_it_until_its_claim_runs_out()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$e", Alice, ["$gone"], ["$c", "$j"]);
        await PersistAsync(After(room["$e"], "$j"));
        var (_, otherProcess) = NewStore();
        var until = Clock.GetUtcNow() + TimeSpan.FromMinutes(5);

        var claims = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? Store : otherProcess).ClaimHoleAsync(room.RoomId, "$gone", until)));

        var claimed = Assert.Single(claims, c => c is not null);
        Assert.Equal(until, claimed!.NextAttemptAt);
        Assert.Equal(0, claimed.Attempts);
        Assert.Empty(await Store.GetHolesAsync(room.RoomId, dueOnly: true));

        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.NotNull(await otherProcess.ClaimHoleAsync(room.RoomId, "$gone", Clock.GetUtcNow() + TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_hole_given_up_or_not_a_hole_cannot_be_claimed()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$e", Alice, ["$gone"], ["$c", "$j"]);
        await PersistAsync(After(room["$e"], "$j"));
        await Store.GiveUpHoleAsync(room.RoomId, "$gone", "nobody has it");
        var until = Clock.GetUtcNow() + TimeSpan.FromMinutes(5);

        Assert.Null(await Store.ClaimHoleAsync(room.RoomId, "$gone", until));
        Assert.Null(await Store.ClaimHoleAsync(room.RoomId, "$j", until));
        Assert.Null(await Store.ClaimHoleAsync("!unknown:test", "$gone", until));
    }

    [Fact]
    public async Task A_hole_disappears_when_its_event_arrives_as_a_timeline_event_but_not_as_an_outlier()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$gone", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$e", Alice, ["$gone"], ["$c", "$j"]);
        await PersistAsync(After(room["$e"], "$j"));

        await PersistAsync(EventToPersist.Outlier(room["$gone"]));
        Assert.Single(await Store.GetHolesAsync(room.RoomId));

        await PersistAsync(After(room["$gone"], "$j"));
        Assert.Empty(await Store.GetHolesAsync(room.RoomId));
    }

    [Fact]
    public async Task Failed_pulls_are_kept_by_event_id_back_off_doubling_and_are_forgotten_when_cleared()
    {
        var room = await NewStartedRoomAsync();

        var first = await Store.RecordFailedPullsAsync(room.RoomId, ["$never-seen", "$other"], "404");
        var second = await Store.RecordFailedPullsAsync(room.RoomId, ["$never-seen"], "timeout");

        var now = Clock.GetUtcNow();
        Assert.Equal(new FailedPull("$never-seen", 1, now, now + TimeSpan.FromMinutes(1), "404"), first["$never-seen"]);
        Assert.Equal(new FailedPull("$never-seen", 2, now, now + TimeSpan.FromMinutes(2), "timeout"), second["$never-seen"]);
        Assert.Equal(["$never-seen", "$other"], (await Store.GetFailedPullsAsync(room.RoomId, ["$never-seen", "$other", "$j"])).Keys.Order(StringComparer.Ordinal));

        await Store.ClearFailedPullsAsync(room.RoomId, ["$never-seen"]);

        Assert.Equal(["$other"], (await Store.GetFailedPullsAsync(room.RoomId, ["$never-seen", "$other"])).Keys);
    }
}
