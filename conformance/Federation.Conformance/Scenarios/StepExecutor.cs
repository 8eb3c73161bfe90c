using System.Net;
using System.Text.Json.Nodes;
using Federation.Conformance.Remotes;
using Federation.Conformance.Running;
using Federation.Protocol.Events;
using Federation.Protocol.Json;

namespace Federation.Conformance.Scenarios;

/// <summary>
/// Runs a scenario's <c>steps</c> in order (README "Steps"): remotes push transactions and call the target's
/// endpoints, the target's user sends events, and expectations are checked — those about what the target did in the
/// background are polled until they hold or time out.
/// </summary>
public sealed class StepExecutor(ScenarioContext context, EventFactory events, ExpectationChecker checker)
{
    public async Task RunAsync()
    {
        var steps = context.Scenario.Json["steps"] as JsonArray ?? [];
        for (var index = 0; index < steps.Count; index++)
        {
            var step = steps[index] as JsonObject ?? throw new FormatException("steps[] entries are objects");
            await events.BuildReadyAsync().ConfigureAwait(false);
            try
            {
                await RunStepAsync(step).ConfigureAwait(false);
            }
            catch (ScenarioFailedException e)
            {
                throw new ScenarioFailedException($"step {index + 1} ({step.First().Key}): {e.Message}", e);
            }
        }
    }

    private async Task RunStepAsync(JsonObject step)
    {
        var within = step["within_ms"]?.GetValue<int>() is { } ms ? TimeSpan.FromMilliseconds(ms) : Polling.DefaultWithin;
        var kind = step.First().Key;
        switch (kind)
        {
            case "push":
                await PushAsync(step).ConfigureAwait(false);
                break;
            case "request":
                await RequestAsync(step).ConfigureAwait(false);
                break;
            case "local":
                await LocalAsync(step["local"]!.AsObject()).ConfigureAwait(false);
                break;
            case "join":
                await RoomPreparation.JoinLaterAsync(context, step["join"]!.GetValue<string>()).ConfigureAwait(false);
                break;
            case "remote_down":
            case "remote_up":
                context.Remote(step[kind]!.GetValue<string>()).Responder = Responder(step[kind]!.GetValue<string>(), down: kind == "remote_down");
                break;
            case "expect_state":
                await Polling.UntilAsync(() => checker.StateProblemAsync(step["expect_state"]!.AsObject()), within, context.Time, context.CancellationToken)
                    .ConfigureAwait(false);
                break;
            case "expect_extremities":
                await Polling.UntilAsync(() => checker.ExtremitiesProblemAsync(context.Ids(step["expect_extremities"])), within, context.Time, context.CancellationToken)
                    .ConfigureAwait(false);
                break;
            case "expect_events":
                await Polling.UntilAsync(() => checker.EventsProblemAsync(step["expect_events"]!.AsObject()), within, context.Time, context.CancellationToken)
                    .ConfigureAwait(false);
                break;
            case "expect_requests":
                await checker.RequestsAsync(step["expect_requests"]!.AsObject(), within).ConfigureAwait(false);
                break;
            default:
                throw new FormatException($"unknown step \"{kind}\"");
        }
    }

    /// <summary>The responder of remote <paramref name="alias"/> per the scenario's <c>serve</c> section.</summary>
    public Func<Microsoft.AspNetCore.Http.HttpContext, JsonNode?, Task<Microsoft.AspNetCore.Http.IResult>> Responder(string alias, bool down = false)
    {
        var responder = new RemoteResponder(context, context.Scenario.Json["serve"]?[alias] as JsonObject ?? []) { Down = down };
        return responder.RespondAsync;
    }

    private async Task PushAsync(JsonObject step)
    {
        var from = step["from"]?.GetValue<string>() ?? context.Remotes.Keys.First();
        var remote = context.Remote(from);
        var pdus = new JsonArray([.. Expand(step["push"]).Select(Wire)]);
        var body = new JsonObject
        {
            ["origin"] = remote.ServerName,
            ["origin_server_ts"] = context.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["pdus"] = pdus,
        };
        if (step["edus"]?.GetValue<int>() is { } eduCount)
        {
            body["edus"] = new JsonArray([.. Enumerable.Range(0, eduCount).Select(i => (JsonNode)new JsonObject
            {
                ["edu_type"] = "m.typing",
                ["content"] = new JsonObject { ["room_id"] = context.RoomId, ["user_id"] = $"@{context.RemoteUsers[from][0]}:{remote.ServerName}", ["typing"] = i % 2 == 0 },
            })]);
        }

        var txn = $"{context.RunId}-{step["txn"]?.GetValue<string>() ?? Guid.NewGuid().ToString("N")}";
        var auth = ParseAuth(step["auth"]);
        using var response = await remote.SendAsync(
            context.Target.BaseAddress, context.Target.ServerName, HttpMethod.Put, $"/_matrix/federation/v1/send/{Uri.EscapeDataString(txn)}", body, auth, context.CancellationToken)
            .ConfigureAwait(false);
        await checker.ResponseAsync(response, step["expect"] as JsonObject ?? new JsonObject { ["status"] = 200 }).ConfigureAwait(false);
    }

    private async Task RequestAsync(JsonObject step)
    {
        var request = step["request"]!.AsObject();
        var from = request["from"]?.GetValue<string>() ?? context.Remotes.Keys.First();
        var method = new HttpMethod(request["method"]?.GetValue<string>() ?? "GET");
        var path = context.Substitute(request["path"]!.GetValue<string>(), escape: true);
        var body = context.SubstituteAll(request["body"]);
        if (body is JsonObject bodyObject)
        {
            // Event lists in request bodies (get_missing_events) name events.
            foreach (var key in new[] { "earliest_events", "latest_events" })
            {
                if (bodyObject[key] is JsonArray names)
                {
                    bodyObject[key] = new JsonArray([.. context.Ids(names).Select(id => (JsonNode)id)]);
                }
            }
        }

        using var response = await context.Remote(from).SendAsync(
            context.Target.BaseAddress, context.Target.ServerName, method, path, body, ParseAuth(request["auth"]), context.CancellationToken).ConfigureAwait(false);
        await checker.ResponseAsync(response, step["expect"] as JsonObject ?? []).ConfigureAwait(false);
    }

    private async Task LocalAsync(JsonObject local)
    {
        var name = local["name"]?.GetValue<string>() ?? throw new FormatException("a local step names its event");
        var type = local["type"]?.GetValue<string>() ?? EventTypes.Message;
        var stateKey = local["state_key"] is { } key ? context.Substitute(key.GetValue<string>()) : null;
        var content = context.SubstituteAll(local["content"]) ?? new JsonObject { ["msgtype"] = "m.text", ["body"] = name };
        var eventId = await context.Client.SendAsync(context.RoomId, type, stateKey, content, context.CancellationToken).ConfigureAwait(false);
        context.Name(name, eventId);
        context.Tip = name;

        // The remotes learn the event the way a server does, by asking the target for it (any remote still allowed to).
        foreach (var remote in context.Remotes.Values)
        {
            using var response = await remote.SendAsync(
                context.Target.BaseAddress, context.Target.ServerName, HttpMethod.Get, $"/_matrix/federation/v1/event/{Uri.EscapeDataString(eventId)}", null,
                RequestAuth.Correct, context.CancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var pdu = JsonNode.Parse(await response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false))!["pdus"]![0]!;
                context.Dag.Add(Pdu.Parse(JsonSigning.ToElement(pdu), context.Version));
                return;
            }
        }
    }

    private IEnumerable<string> Expand(JsonNode? names)
    {
        foreach (var name in (names as JsonArray ?? []).Select(n => n!.GetValue<string>()))
        {
            if (name.EndsWith(".*", StringComparison.Ordinal))
            {
                var prefix = name[..^1];
                foreach (var built in context.Built.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    yield return built;
                }
            }
            else
            {
                yield return name;
            }
        }
    }

    private JsonNode Wire(string name) =>
        context.Built.TryGetValue(name, out var built) ? built.Wire()
        : context.Dag.Get(context.Id(name)) is { } held ? RemoteDag.Node(held)
        : throw new FormatException($"event '{name}' is neither built nor held");

    private static RequestAuth ParseAuth(JsonNode? auth) => auth?.GetValue<string>() switch
    {
        null or "signed" => RequestAuth.Correct,
        "none" => RequestAuth.None,
        "malformed" => RequestAuth.Malformed,
        "unknown-key" => RequestAuth.UnknownKey,
        "bad-signature" => RequestAuth.BadSignature,
        "wrong-destination" => RequestAuth.WrongDestination,
        "wrong-uri" => RequestAuth.WrongUri,
        var other => throw new FormatException($"unknown auth \"{other}\""),
    };
}
