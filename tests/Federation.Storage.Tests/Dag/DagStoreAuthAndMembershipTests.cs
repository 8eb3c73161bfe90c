using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreAuthAndMembershipTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task The_auth_chain_of_events_is_every_event_reachable_through_auth_events()
    {
        var room = await AuthRoomAsync();

        Assert.Equal(["$c", "$j", "$pl"], await ChainAsync(room, ["$msg"], includeGiven: false));
        Assert.Equal(["$c", "$j", "$msg", "$pl"], await ChainAsync(room, ["$msg"], includeGiven: true));
        Assert.Equal(["$c", "$j", "$jr", "$pl"], await ChainAsync(room, ["$bob-join"], includeGiven: false));
        // A given event in another given event's chain is part of the chain.
        Assert.Equal(["$c", "$j", "$pl"], await ChainAsync(room, ["$pl", "$msg"], includeGiven: false));
        Assert.Empty(await ChainAsync(room, ["$c", "$unknown"], includeGiven: false));
    }

    [Fact]
    public async Task The_auth_chain_sees_events_another_store_persisted_after_it_was_first_asked()
    {
        var room = await AuthRoomAsync();
        Assert.Equal(["$c", "$j", "$pl"], await ChainAsync(room, ["$msg"], includeGiven: false));
        var (_, other) = NewStore();
        room.Member("$bob-leave", Bob, "leave", ["$bob-join"], ["$c", "$pl", "$bob-join"]);
        await other.PersistEventsAsync([After(room["$bob-leave"], "$bob-join")]);

        Assert.Equal(["$bob-join", "$c", "$j", "$jr", "$pl"], await ChainAsync(room, ["$bob-leave"], includeGiven: false));
    }

    [Fact]
    public async Task A_server_had_a_joined_member_at_an_event_when_the_state_there_says_so()
    {
        var room = await AuthRoomAsync();
        room.Member("$bob-leave", Bob, "leave", ["$bob-join"], ["$c", "$pl", "$bob-join"]);
        room.Message("$later", Alice, ["$bob-leave"], ["$c", "$j", "$pl"]);
        await PersistAsync(After(room["$bob-leave"], "$bob-join"), After(room["$later"], "$bob-leave"));

        Assert.False(await Store.ServerHadJoinedMemberAsync(room.RoomId, "$msg", "other"));
        Assert.False(await Store.ServerHadJoinedMemberAsync(room.RoomId, "$bob-join", "other", StatePosition.Before));
        Assert.True(await Store.ServerHadJoinedMemberAsync(room.RoomId, "$bob-join", "other", StatePosition.After));
        Assert.True(await Store.ServerHadJoinedMemberAsync(room.RoomId, "$bob-leave", "other", StatePosition.Before));
        Assert.False(await Store.ServerHadJoinedMemberAsync(room.RoomId, "$later", "other"));
        Assert.True(await Store.ServerHadJoinedMemberAsync(room.RoomId, "$later", "test"));
        Assert.False(await Store.ServerHadJoinedMemberAsync(room.RoomId, "$later", "tes"));
        Assert.Null(await Store.ServerHadJoinedMemberAsync(room.RoomId, "$unknown", "test"));
    }

    // $c; $j (Alice joins); $pl; $jr; $msg; $bob-join — with realistic auth events.
    private async Task<TestRoomDag> AuthRoomAsync()
    {
        var room = await NewStartedRoomAsync();
        room.State("$pl", EventTypes.PowerLevels, "", Alice, ["$j"], ["$c", "$j"]);
        room.State("$jr", EventTypes.JoinRules, "", Alice, ["$pl"], ["$c", "$j", "$pl"]);
        room.Message("$msg", Alice, ["$jr"], ["$c", "$j", "$pl"]);
        room.Member("$bob-join", Bob, "join", ["$msg"], ["$c", "$pl", "$jr"]);
        await PersistAsync(After(room["$pl"], "$j"), After(room["$jr"], "$pl"), After(room["$msg"], "$jr"), After(room["$bob-join"], "$msg"));
        return room;
    }

    private async Task<List<string>> ChainAsync(TestRoomDag room, string[] ids, bool includeGiven) =>
        [.. (await Store.GetAuthChainAsync(room.RoomId, ids, includeGiven)).Order(StringComparer.Ordinal)];
}
