using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Microsoft.AspNetCore.Http;

namespace Federation.Ingest.Benchmarks;

/// <summary>
/// Replaces <see cref="RoomHistoryServer"/>'s <c>/state_ids</c> and <c>/state</c> answers with the same truthful answers
/// read from the states recorded while the (linear) room was generated. The originals resolve the whole DAG on every
/// request, which in a room of tens of thousands of events would make the fake remote, not our server, the cost.
/// </summary>
public static class FastStateAnswers
{
    public static void Install(FakeHomeserver remote, GeneratedRoom room)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(room);
        var events = room.Builder.Events.ToDictionary(p => p.EventId, StringComparer.Ordinal);
        remote.Handle("GET", "/_matrix/federation/v1/state_ids/" + room.RoomId, context => Answer(context, room, events, ids: true));
        remote.Handle("GET", "/_matrix/federation/v1/state/" + room.RoomId, context => Answer(context, room, events, ids: false));
    }

    private static Task<IResult> Answer(HttpContext context, GeneratedRoom room, Dictionary<string, Pdu> events, bool ids)
    {
        var eventId = context.Request.Query["event_id"].ToString();
        if (!room.StateIdsBefore.TryGetValue(eventId, out var state))
        {
            return Task.FromResult(Results.Json(new { errcode = "M_NOT_FOUND", error = "Unknown event" }, statusCode: 404));
        }

        var authChain = AuthChain(events, state.SelectMany(id => events[id].AuthEvents)).ToArray();
        return Task.FromResult(ids
            ? Results.Json(new JsonObject
            {
                ["pdu_ids"] = new JsonArray([.. state.Select(id => (JsonNode)id)]),
                ["auth_chain_ids"] = new JsonArray([.. authChain.Select(p => (JsonNode)p.EventId)]),
            })
            : Results.Json(new JsonObject
            {
                ["pdus"] = new JsonArray([.. state.Select(id => Node(events[id]))]),
                ["auth_chain"] = new JsonArray([.. authChain.Select(Node)]),
            }));
    }

    private static IEnumerable<Pdu> AuthChain(Dictionary<string, Pdu> events, IEnumerable<string> ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(ids);
        while (stack.TryPop(out var id))
        {
            if (seen.Add(id) && events.TryGetValue(id, out var pdu))
            {
                yield return pdu;
                foreach (var auth in pdu.AuthEvents)
                {
                    stack.Push(auth);
                }
            }
        }
    }

    private static JsonNode Node(Pdu pdu) => JsonNode.Parse(pdu.Json.GetRawText())!;
}
