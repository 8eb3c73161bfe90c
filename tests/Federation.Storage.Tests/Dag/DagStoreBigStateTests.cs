using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

/// <summary>States big enough that their ids are read in bulk (runs of consecutive nids), not one by one.</summary>
public sealed class DagStoreBigStateTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_state_of_thousands_of_members_reads_back_whole_through_a_store_with_empty_caches()
    {
        // 3,000 members as outliers in three chunks with other events in between (so their nids form several runs),
        // then an event that takes them all as its state, and a few joins after it.
        var room = await NewStartedRoomAsync();
        var state = new Dictionary<StateSlot, string> { [new(EventTypes.Create, "")] = "$c", [new(EventTypes.Member, Alice)] = "$j" };
        for (var chunk = 0; chunk < 3; chunk++)
        {
            var outliers = new List<EventToPersist>();
            for (var i = chunk * 1000; i < (chunk + 1) * 1000; i++)
            {
                var user = $"@big{i}:test";
                outliers.Add(EventToPersist.Outlier(room.Member($"$big{i}", user, "join", ["$j"], ["$c"])));
                state[new StateSlot(EventTypes.Member, user)] = $"$big{i}";
            }

            await Store.PersistEventsAsync(outliers);
            await AppendMessagesAsync(room, chunk == 0 ? "$j" : $"$gap{chunk - 1}3", $"$gap{chunk}", 3);
        }

        room.Message("$all", Alice, ["$gap23"], ["$c", "$j"]);
        room.Member("$late", "@late:test", "join", ["$all"], ["$c"]);
        await PersistAsync(new EventToPersist(room["$all"]) { StateBefore = StateBefore.Full(state) }, After(room["$late"], "$all"));

        var (_, restarted) = NewStore();
        var ids = await restarted.GetStateIdsAsync(room.RoomId, "$late", StatePosition.After);
        Assert.Equal([.. state.Values.Append("$late").Order(StringComparer.Ordinal)], ids!.Order(StringComparer.Ordinal));
        Assert.Equal(ids, await restarted.GetStateIdsAsync(room.RoomId, "$late", StatePosition.After));

        var (_, another) = NewStore();
        var map = await another.GetStateAsync(room.RoomId, "$late", StatePosition.After);
        Assert.Equal(3003, map!.Count);
        Assert.Equal("$big2999", map[new StateSlot(EventTypes.Member, "@big2999:test")]);
        Assert.Equal("$late", map[new StateSlot(EventTypes.Member, "@late:test")]);
        Assert.All(state, entry => Assert.Equal(entry.Value, map[entry.Key]));
    }
}
