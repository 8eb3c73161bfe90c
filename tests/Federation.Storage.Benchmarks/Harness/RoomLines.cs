using Federation.Storage.Dag;
using Federation.Testing.Dag;

namespace Federation.Storage.Benchmarks.Harness;

/// <summary>Rooms shaped for the measurements: a create event and a join, then lines of messages or joins.</summary>
internal static class RoomLines
{
    public const string Alice = "@alice:bench.test";

    /// <summary>A new room with create "$c" and Alice's join "$j" persisted.</summary>
    public static async Task<TestRoomDag> StartAsync(DagStore store)
    {
        var room = new TestRoomDag($"!{Guid.NewGuid():N}:bench.test");
        room.Create("$c", Alice);
        room.Member("$j", Alice, "join", ["$c"], ["$c"]);
        await store.PersistEventsAsync([
            new EventToPersist(room["$c"]) { StateBefore = StateBefore.Full(new Dictionary<StateSlot, string>()) },
            EventToPersist.Accepted(room["$j"], "$c"),
        ]);
        return room;
    }

    /// <summary>
    /// <paramref name="count"/> events <paramref name="prefix"/>1.. in a line after <paramref name="after"/>, in batches
    /// of 50, each with "state after its prev": ~350-byte messages, or joins of new users (a state change each).
    /// </summary>
    public static List<List<EventToPersist>> Line(TestRoomDag room, string after, string prefix, int count, bool joins)
    {
        var batches = new List<List<EventToPersist>>();
        var previous = after;
        for (var i = 1; i <= count; i++)
        {
            if ((i - 1) % 50 == 0)
            {
                batches.Add([]);
            }

            var id = $"{prefix}{i}";
            var pdu = joins
                ? room.Member(id, $"@{prefix[1..]}{i}:bench.test", "join", [previous], ["$c", "$j"])
                : room.Message(id, Alice, [previous], ["$c", "$j"], "a message of moderate length, as people write them " + i);
            batches[^1].Add(EventToPersist.Accepted(pdu, previous));
            previous = id;
        }

        return batches;
    }

    public static async Task PersistAllAsync(DagStore store, IEnumerable<List<EventToPersist>> batches)
    {
        foreach (var batch in batches)
        {
            await store.PersistEventsAsync(batch);
        }
    }
}
