using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Joins;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;

namespace Federation.Local.Tests;

/// <summary>Puts a user of a fake remote server into a room of the harness, the way a real join arrives (send_join).</summary>
public static class RemoteMembers
{
    public static async Task<Pdu> JoinAsync(LocalHarness harness, ServerIdentity remote, string roomId, string localpart)
    {
        ArgumentNullException.ThrowIfNull(harness);
        ArgumentNullException.ThrowIfNull(remote);
        var userId = $"@{localpart}:{remote.ServerName}";
        var draft = await harness.Get<LocalEventBuilder>().DraftAsync(
            roomId, userId, EventTypes.Member, userId, new JsonObject { ["membership"] = "join" }, CancellationToken.None);
        draft.Json.Remove("origin");
        var join = EventSealing.Seal(draft.Json, draft.Version, remote);
        await harness.Get<ResidentJoins>().SendJoinAsync(remote.ServerName, roomId, join.EventId, join.Json, CancellationToken.None);
        return join;
    }
}
