using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Reconciliation;
using Federation.Testing.Events;

namespace Federation.Resync.Core.Tests.Reconciliation;

public sealed class TopologicalOrderTests
{
    [Fact]
    public void Events_come_after_their_prevs_and_branches_by_depth()
    {
        var room = new SignedRoomBuilder(RoomVersion.Get("10"), new ServerIdentity("x.test", SigningKey.Generate("k")))
            .CreatePublicRoom("@a:x.test");
        var root = room.Message("@a:x.test", "root");
        var left = room.Add("@a:x.test", EventTypes.Message, null, new JsonObject { ["body"] = "left" }, [root.EventId]);
        var right = room.Add("@a:x.test", EventTypes.Message, null, new JsonObject { ["body"] = "right" }, [root.EventId]);
        var merge = room.Add("@a:x.test", EventTypes.Message, null, new JsonObject { ["body"] = "merge" }, [left.EventId, right.EventId]);

        var ordered = TopologicalOrder.Sort(new[] { merge, right, root, left }, p => p);

        Assert.Equal([root.EventId, left.EventId, right.EventId, merge.EventId], ordered.Select(p => p.EventId));
    }
}
