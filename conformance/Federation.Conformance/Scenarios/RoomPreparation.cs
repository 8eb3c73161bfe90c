using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Federation.Conformance.Remotes;
using Federation.Conformance.Running;
using Federation.Conformance.Target;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Conformance.Scenarios;

/// <summary>
/// Prepares a scenario's room through the standard APIs only: the target's user creates it (<c>createRoom</c> with
/// the scenario's <c>room</c> object as the request), then each remote's users join through the target's
/// <c>make_join</c>/<c>send_join</c>, so the remotes hold the room's real events. Prepared events get names:
/// <c>create</c>, <c>local_join</c>, <c>power_levels</c>, <c>join_rules</c>, <c>history_visibility</c>, … and
/// <c>join_r1</c> (the first user of r1), <c>join_r1_bob</c> (further users).
/// </summary>
public static class RoomPreparation
{
    public static async Task PrepareAsync(ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.SubstituteAll(context.Scenario.Json["room"] ?? new JsonObject())!.AsObject();
        request["preset"] ??= "public_chat";
        request["room_version"] ??= RoomVersion.Default.Id;
        context.Version = RoomVersion.Get(request["room_version"]!.GetValue<string>());
        context.RoomId = await context.Client.CreateRoomAsync(request, context.CancellationToken).ConfigureAwait(false);
        context.Dag = new RemoteDag(context.Version, context.RoomId);
        foreach (var stateEvent in await context.Client.StateAsync(context.RoomId, context.CancellationToken).ConfigureAwait(false))
        {
            var type = stateEvent!["type"]!.GetValue<string>();
            var name = type == EventTypes.Member ? "local_join" : type.Replace("m.room.", "", StringComparison.Ordinal);
            context.Name(name, stateEvent["event_id"]!.GetValue<string>());
        }

        foreach (var (alias, settings) in context.Scenario.Remotes)
        {
            var users = settings["users"] is JsonArray list ? list.Select(u => u!.GetValue<string>()).ToList() : ["alice"];
            context.RemoteUsers[alias] = users;
            if (!(settings["join"]?.GetValue<bool>() ?? true))
            {
                continue;
            }

            foreach (var user in users)
            {
                var name = user == users[0] ? $"join_{alias}" : $"join_{alias}_{user}";
                var join = await JoinAsync(context, context.Remote(alias), $"@{user}:{context.ServerOf(alias)}").ConfigureAwait(false);
                context.Name(name, join.EventId);
                context.Tip = name;
            }
        }

        if (context.Tip.Length == 0)
        {
            context.Tip = "local_join";
        }
    }

    /// <summary>Joins the users of a remote declared with <c>"join": false</c>, in the middle of a scenario.</summary>
    public static async Task JoinLaterAsync(ScenarioContext context, string alias)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var user in context.RemoteUsers[alias])
        {
            var name = user == context.RemoteUsers[alias][0] ? $"join_{alias}" : $"join_{alias}_{user}";
            var join = await JoinAsync(context, context.Remote(alias), $"@{user}:{context.ServerOf(alias)}").ConfigureAwait(false);
            context.Name(name, join.EventId);
            context.Tip = name;
        }
    }

    /// <summary>The remote's user joins through the target: make_join, fill in and sign the template, send_join v2.</summary>
    private static async Task<Pdu> JoinAsync(ScenarioContext context, FakeRemote remote, string userId)
    {
        var room = Uri.EscapeDataString(context.RoomId);
        var versions = string.Join("&", RoomVersion.All.Select(v => "ver=" + v.Id));
        var template = await CallAsync(context, remote, HttpMethod.Get, $"/_matrix/federation/v1/make_join/{room}/{Uri.EscapeDataString(userId)}?{versions}", null)
            .ConfigureAwait(false);
        var json = template["event"]!.AsObject();
        json["origin_server_ts"] = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!context.Version.UsesV11Redaction)
        {
            json["origin"] = remote.ServerName;
        }

        if (context.Version.UsesEventReferencePairs)
        {
            json["event_id"] = $"${RandomNumberGenerator.GetHexString(16, lowercase: true)}:{remote.ServerName}";
        }

        EventSigning.HashAndSign(json, context.Version, remote.ServerName, remote.Identity.SigningKey);
        var join = Pdu.Parse(JsonSigning.ToElement(json), context.Version);
        var answer = await CallAsync(
            context, remote, HttpMethod.Put, $"/_matrix/federation/v2/send_join/{room}/{Uri.EscapeDataString(join.EventId)}", json).ConfigureAwait(false);
        foreach (var held in (answer["state"] as JsonArray ?? []).Concat(answer["auth_chain"] as JsonArray ?? []))
        {
            context.Dag.Add(Pdu.Parse(JsonSigning.ToElement(held!), context.Version));
        }

        context.Dag.Add(join);
        return join;
    }

    private static async Task<JsonNode> CallAsync(ScenarioContext context, FakeRemote remote, HttpMethod method, string path, JsonNode? body)
    {
        using var response = await remote.SendAsync(context.Target.BaseAddress, context.Target.ServerName, method, path, body, RequestAuth.Correct, context.CancellationToken)
            .ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound && text.Contains("M_UNRECOGNIZED", StringComparison.Ordinal))
        {
            throw new MissingEndpointException($"{method} {path.Split('?')[0]}");
        }

        return response.IsSuccessStatusCode
            ? JsonNode.Parse(text)!
            : throw new ScenarioFailedException($"preparation: {method} {path.Split('?')[0]} answered {(int)response.StatusCode}: {text}");
    }
}
