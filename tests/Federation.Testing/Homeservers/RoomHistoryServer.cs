using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Events;
using Federation.StateResolution.Graph;
using Microsoft.AspNetCore.Http;

namespace Federation.Testing.Homeservers;

/// <summary>
/// Makes a fake homeserver answer the federation reads of one room truthfully from the events it holds:
/// <c>/get_missing_events</c>, <c>/backfill</c>, <c>/state_ids</c>, <c>/state</c>, <c>/event</c> and <c>/event_auth</c>. States are
/// computed over the DAG with the state-resolution engine. A test that wants the server to lie replaces one handler
/// afterwards with <see cref="FakeHomeserver.Handle(string, string, object, int)"/>.
/// </summary>
public sealed class RoomHistoryServer
{
    private readonly FakeHomeserver _server;
    private readonly RoomVersion _version;
    private readonly string _roomId;
    private readonly Dictionary<string, Pdu> _events = new(StringComparer.Ordinal);

    private RoomHistoryServer(FakeHomeserver server, RoomVersion version, string roomId)
    {
        _server = server;
        _version = version;
        _roomId = roomId;
        server.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + roomId, MissingEventsAsync);
        server.Handle("GET", "/_matrix/federation/v1/backfill/" + roomId, BackfillAsync);
        server.Handle("GET", "/_matrix/federation/v1/state_ids/" + roomId, context => StateAsync(context, ids: true));
        server.Handle("GET", "/_matrix/federation/v1/state/" + roomId, context => StateAsync(context, ids: false));
    }

    /// <summary>Serves <paramref name="events"/> of room <paramref name="roomId"/> from <paramref name="server"/>.</summary>
    public static RoomHistoryServer Serve(FakeHomeserver server, RoomVersion version, string roomId, IEnumerable<Pdu> events)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(events);
        var history = new RoomHistoryServer(server, version, roomId);
        foreach (var pdu in events)
        {
            history.Add(pdu);
        }

        return history;
    }

    /// <summary>Holds one more event.</summary>
    public void Add(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        _events[pdu.EventId] = pdu;
        _server.Handle("GET", "/_matrix/federation/v1/event/" + pdu.EventId, _ => Task.FromResult(Results.Json(new JsonObject
        {
            ["origin"] = _server.ServerName,
            ["origin_server_ts"] = 0,
            ["pdus"] = new JsonArray(Node(pdu)),
        })));
        _server.Handle("GET", $"/_matrix/federation/v1/event_auth/{_roomId}/{pdu.EventId}", _ => Task.FromResult(Results.Json(new JsonObject
        {
            ["auth_chain"] = new JsonArray([.. AuthChain(pdu.AuthEvents).Select(Node)]),
        })));
    }

    /// <summary>Stops answering <c>/event</c> for <paramref name="eventId"/> (as if the server had lost it).</summary>
    public void Forget(string eventId) =>
        _server.Handle("GET", "/_matrix/federation/v1/event/" + eventId, new { errcode = "M_NOT_FOUND", error = "Unknown event" }, 404);

    private async Task<IResult> MissingEventsAsync(HttpContext context)
    {
        var body = await JsonDocument.ParseAsync(context.Request.Body).ConfigureAwait(false);
        var earliest = body.RootElement.GetProperty("earliest_events").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        var latest = body.RootElement.GetProperty("latest_events").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var limit = body.RootElement.TryGetProperty("limit", out var l) ? l.GetInt32() : 10;
        var found = new List<Pdu>();
        var seen = new HashSet<string>(latest, StringComparer.Ordinal);
        var queue = new Queue<string>(latest);
        while (queue.TryDequeue(out var id) && found.Count < limit)
        {
            foreach (var prev in _events.TryGetValue(id, out var pdu) ? pdu.PrevEvents : [])
            {
                if (found.Count < limit && !earliest.Contains(prev) && seen.Add(prev) && _events.TryGetValue(prev, out var prevPdu))
                {
                    found.Add(prevPdu);
                    queue.Enqueue(prev);
                }
            }
        }

        return Results.Json(new JsonObject { ["events"] = new JsonArray([.. found.OrderBy(p => p.Depth).Select(Node)]) });
    }

    /// <summary>The held events among the <c>v</c> seeds, then their ancestors breadth-first over prev events, up to
    /// <c>limit</c> in all.</summary>
    private Task<IResult> BackfillAsync(HttpContext context)
    {
        var limit = int.Parse(context.Request.Query["limit"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var seeds = context.Request.Query["v"].OfType<string>().ToArray();
        var found = new List<Pdu>();
        var seen = new HashSet<string>(seeds, StringComparer.Ordinal);
        var queue = new Queue<string>(seeds);
        while (queue.TryDequeue(out var id) && found.Count < limit)
        {
            if (_events.TryGetValue(id, out var pdu))
            {
                found.Add(pdu);
                foreach (var prev in pdu.PrevEvents.Where(seen.Add))
                {
                    queue.Enqueue(prev);
                }
            }
        }

        return Task.FromResult(Results.Json(new JsonObject
        {
            ["origin"] = _server.ServerName,
            ["origin_server_ts"] = 0,
            ["pdus"] = new JsonArray([.. found.Select(Node)]),
        }));
    }

    private async Task<IResult> StateAsync(HttpContext context, bool ids)
    {
        var eventId = context.Request.Query["event_id"].ToString();
        if (!_events.ContainsKey(eventId))
        {
            return Results.Json(new { errcode = "M_NOT_FOUND", error = "Unknown event" }, statusCode: 404);
        }

        var source = new InMemoryEventSource();
        source.AddRange(_events.Values);
        var graph = new RoomGraph(_version, source, _roomId);
        var calculator = new DagStateCalculator(graph, DagMode.RejectUnauthorised);
        var state = graph.ToEntries(await calculator.StateBeforeAsync(eventId).ConfigureAwait(false)).Select(e => e.Value).ToArray();
        var authChain = AuthChain(state.SelectMany(id => _events[id].AuthEvents)).ToArray();
        return ids
            ? Results.Json(new JsonObject
            {
                ["pdu_ids"] = new JsonArray([.. state.Select(id => (JsonNode)id)]),
                ["auth_chain_ids"] = new JsonArray([.. authChain.Select(p => (JsonNode)p.EventId)]),
            })
            : Results.Json(new JsonObject
            {
                ["pdus"] = new JsonArray([.. state.Select(id => Node(_events[id]))]),
                ["auth_chain"] = new JsonArray([.. authChain.Select(Node)]),
            });
    }

    /// <summary>The events of <paramref name="ids"/> and all their auth ancestors that this server holds.</summary>
    private IEnumerable<Pdu> AuthChain(IEnumerable<string> ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(ids);
        while (stack.TryPop(out var id))
        {
            if (seen.Add(id) && _events.TryGetValue(id, out var pdu))
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
