using System.Text.Json.Nodes;
using Federation.Conformance.Scenarios;
using Microsoft.AspNetCore.Http;

namespace Federation.Conformance.Remotes;

/// <summary>
/// How one remote answers the target during a scenario: truthfully from the scenario's DAG by default, or as the
/// scenario's <c>serve</c> section says per endpoint — an error status, a stall, a dropped connection, a delay, or a
/// made-up answer naming the scenario's (possibly forged) events. Withheld events are never served truthfully.
/// </summary>
public sealed class RemoteResponder(ScenarioContext context, JsonObject serve)
{
    private const string Federation = "/_matrix/federation/v1/";
    private static readonly TimeSpan LongestStall = TimeSpan.FromSeconds(60);

    /// <summary>When set, the remote drops every connection (it is "down").</summary>
    public bool Down { get; set; }

    public async Task<IResult> RespondAsync(HttpContext http, JsonNode? body)
    {
        ArgumentNullException.ThrowIfNull(http);
        var path = http.Request.Path.Value ?? "";
        if (Down)
        {
            http.Abort();
            return Results.Empty;
        }

        if (!path.StartsWith(Federation, StringComparison.Ordinal))
        {
            return Error(404, "M_UNRECOGNIZED");
        }

        var rest = path[Federation.Length..].Split('/');
        var endpoint = rest[0];
        var settings = serve[endpoint] as JsonObject ?? [];
        if (settings["delay_ms"]?.GetValue<int>() is { } delay)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay), context.Time, http.RequestAborted).ConfigureAwait(false);
        }

        if (settings["disconnect"]?.GetValue<bool>() ?? false)
        {
            http.Abort();
            return Results.Empty;
        }

        if (settings["stall"]?.GetValue<bool>() ?? false)
        {
            try
            {
                await Task.Delay(LongestStall, context.Time, http.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The target gave up waiting: that is what a stall scenario wants to see.
            }

            return Results.Empty;
        }

        if (settings["status"]?.GetValue<int>() is { } status)
        {
            return Error(status, settings["errcode"]?.GetValue<string>() ?? "M_UNKNOWN");
        }

        var id = rest.Length > 1 ? Uri.UnescapeDataString(rest[^1]) : "";
        return endpoint switch
        {
            "send" => Results.Json(new JsonObject { ["pdus"] = new JsonObject() }),
            "get_missing_events" => MissingEvents(settings, body),
            "state_ids" => await StateAsync(settings, http.Request.Query["event_id"].ToString(), ids: true).ConfigureAwait(false),
            "state" => await StateAsync(settings, http.Request.Query["event_id"].ToString(), ids: false).ConfigureAwait(false),
            "event" => Event(settings, id),
            "event_auth" => EventAuth(settings, id),
            _ => Error(404, "M_UNRECOGNIZED"),
        };
    }

    private IResult MissingEvents(JsonObject settings, JsonNode? body)
    {
        if (settings["events"] is JsonArray named)
        {
            return Results.Json(new JsonObject { ["events"] = Wires(named) });
        }

        var earliest = Strings(body?["earliest_events"]).ToHashSet(StringComparer.Ordinal);
        var latest = Strings(body?["latest_events"]).ToArray();
        var limit = body?["limit"]?.GetValue<int>() ?? 10;
        var found = context.Dag.MissingEvents(earliest, latest, limit, Hidden());
        return Results.Json(new JsonObject { ["events"] = new JsonArray([.. found.Select(p => WireOf(p.EventId))]) });
    }

    private async Task<IResult> StateAsync(JsonObject settings, string eventId, bool ids)
    {
        var (stateKey, chainKey) = ids ? ("pdu_ids", "auth_chain_ids") : ("pdus", "auth_chain");
        if (settings[stateKey] is JsonArray || settings[chainKey] is JsonArray)
        {
            var state = context.Ids(settings[stateKey]);
            var chain = context.Ids(settings[chainKey]);
            return Results.Json(new JsonObject { [stateKey] = Answer(state, ids), [chainKey] = Answer(chain, ids) });
        }

        if (!context.Dag.Contains(eventId) || Hidden().Contains(eventId))
        {
            return Error(404, "M_NOT_FOUND");
        }

        var stateIds = await context.Dag.StateBeforeAsync(eventId).ConfigureAwait(false);
        var authChain = context.Dag.AuthChain(stateIds.SelectMany(s => context.Dag.Get(s)!.AuthEvents), new HashSet<string>(StringComparer.Ordinal))
            .Select(p => p.EventId).ToArray();
        return Results.Json(new JsonObject { [stateKey] = Answer(stateIds, ids), [chainKey] = Answer(authChain, ids) });
    }

    private IResult Event(JsonObject settings, string eventId)
    {
        var served = settings["substitute"]?[context.Describe(eventId)]?.GetValue<string>() is { } substitute ? context.Id(substitute) : eventId;
        if (served == eventId && (Hidden().Contains(eventId) || (!context.Dag.Contains(eventId) && !IsBuilt(eventId))))
        {
            return Error(404, "M_NOT_FOUND");
        }

        return Results.Json(new JsonObject
        {
            ["origin"] = context.Remotes.Values.First().ServerName,
            ["origin_server_ts"] = context.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["pdus"] = new JsonArray(WireOf(served)),
        });
    }

    private IResult EventAuth(JsonObject settings, string eventId)
    {
        if (settings["auth_chain"] is JsonArray named)
        {
            return Results.Json(new JsonObject { ["auth_chain"] = Wires(named) });
        }

        if (context.Dag.Get(eventId) is not { } pdu || Hidden().Contains(eventId))
        {
            return Error(404, "M_NOT_FOUND");
        }

        var chain = context.Dag.AuthChain(pdu.AuthEvents, Hidden());
        return Results.Json(new JsonObject { ["auth_chain"] = new JsonArray([.. chain.Select(p => WireOf(p.EventId))]) });
    }

    private JsonArray Answer(IEnumerable<string> eventIds, bool ids) =>
        new([.. eventIds.Select(id => ids ? JsonValue.Create(id) : WireOf(id))]);

    private JsonArray Wires(JsonArray names) => new([.. context.Ids(names).Select(WireOf)]);

    /// <summary>The event as the remotes send it: as built (possibly broken on purpose), else as held.</summary>
    private JsonNode WireOf(string eventId)
    {
        var built = context.Built.Values.FirstOrDefault(b => b.EventId == eventId);
        return built?.Wire() ?? RemoteDag.Node(context.Dag.Get(eventId) ?? throw new InvalidOperationException($"no event {eventId}"));
    }

    private bool IsBuilt(string eventId) => context.Built.Values.Any(b => b.EventId == eventId);

    private HashSet<string> Hidden() =>
        [.. context.Built.Values.Where(b => b.Withheld).Select(b => b.EventId)];

    private static IEnumerable<string> Strings(JsonNode? list) =>
        list is JsonArray array ? array.Select(n => n!.GetValue<string>()) : [];

    private static IResult Error(int status, string errcode) =>
        Results.Json(new { errcode, error = "answered so by the conformance scenario" }, statusCode: status);
}
