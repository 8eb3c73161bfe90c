using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
namespace Federation.Testing.Dag;

/// <summary>
/// A small room stored as a server would hold it, with one of everything the admin commands report: a fork and its
/// merge, a rejected and a soft-failed event, an outlier, a hole, and one event stored with a wrong state before it
/// (the stored topic is one resolution would not pick). Used by the admin tool's and the admin page's tests.
/// </summary>
public static class AdminTestRoom
{
    public const string Alice = "@alice:test";
    public const string Bob = "@bob:other";

    public static async Task<TestRoomDag> PersistAsync(DagStore store, string roomId)
    {
        var room = new TestRoomDag(roomId);
        room.Create("$c", Alice);
        room.Member("$ja", Alice, "join", ["$c"], ["$c"]);
        room.State("$pl", EventTypes.PowerLevels, "", Alice, ["$ja"], ["$c", "$ja"], new JsonObject { ["users"] = new JsonObject { [Alice] = 100 } });
        room.State("$jr", EventTypes.JoinRules, "", Alice, ["$pl"], ["$c", "$ja", "$pl"], new JsonObject { ["join_rule"] = "public" });
        room.Member("$jb", Bob, "join", ["$jr"], ["$c", "$pl", "$jr"]);
        await LinearHistory.PersistAsync(store, [room["$c"], room["$ja"], room["$pl"], room["$jr"], room["$jb"]]);

        room.State("$ta", "m.room.topic", "", Alice, ["$jb"], ["$c", "$pl", "$ja"], new JsonObject { ["topic"] = "A" });
        room.State("$tb", "m.room.topic", "", Bob, ["$jb"], ["$c", "$pl", "$jb"], new JsonObject { ["topic"] = "B" });
        room.Message("$sf", Bob, ["$jb"], ["$c", "$pl", "$jb"]);
        room.Message("$m", Alice, ["$ta", "$tb"], ["$c", "$pl", "$ja"]);
        room.Message("$x", Alice, ["$m", "$gone"], ["$c", "$pl", "$ja"]);
        room.State("$bad", "m.room.name", "", Alice, ["$m"], ["$c", "$pl", "$ja"], new JsonObject { ["name"] = "wrong state" });
        room.Member("$out", "@carol:third", "join", ["$jr"], ["$c", "$pl", "$jr"]);
        await store.PersistEventsAsync(
        [
            EventToPersist.Accepted(room["$ta"], "$jb"),
            new EventToPersist(room["$tb"]) { Status = EventStatus.Rejected, RejectionReason = "sender's power level 0 is below state_default 50", StateBefore = StateBefore.SameAsAfter("$jb") },
            new EventToPersist(room["$sf"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$jb") },
            EventToPersist.Accepted(room["$m"], "$ta"),
            EventToPersist.Accepted(room["$x"], "$m"),
            new EventToPersist(room["$bad"]) { StateBefore = StateBefore.Delta("$m", new Dictionary<StateSlot, string?> { [new StateSlot("m.room.topic", "")] = "$tb" }) },
            EventToPersist.Outlier(room["$out"]),
        ]);
        return room;
    }
}
