using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.StateResolution.Auth;

namespace Federation.Conformance.Scenarios;

/// <summary>
/// Builds the events of a scenario's <c>events</c> list from their compact description (README "Events"): each is
/// hashed and signed by its sender's remote, with prev events, depth and auth events filled in the way an honest
/// server would, unless the description breaks one of them on purpose.
/// </summary>
public sealed class EventFactory(ScenarioContext context)
{
    private long _clock;
    private int _next;

    /// <summary>Builds every not yet built event, in list order, up to the first one naming an event not known yet.</summary>
    public async Task BuildReadyAsync()
    {
        var specs = context.Scenario.Json["events"] as JsonArray ?? [];
        while (_next < specs.Count)
        {
            var spec = specs[_next] as JsonObject ?? throw new FormatException("events[] entries are objects");
            if (!await TryBuildAsync(spec).ConfigureAwait(false))
            {
                return;
            }

            _next++;
        }
    }

    private async Task<bool> TryBuildAsync(JsonObject spec)
    {
        var name = spec["name"]?.GetValue<string>() ?? throw new FormatException("every event has a \"name\"");
        var references = Names(spec["prev"]).Concat(Names(spec["auth"]));
        if (!references.All(context.CanResolve) || (spec["prev"] is null && context.Tip.Length == 0))
        {
            return false;
        }

        var repeat = spec["repeat"]?.GetValue<int>() ?? 1;
        for (var i = 1; i <= repeat; i++)
        {
            await BuildAsync(spec, repeat == 1 ? name : $"{name}.{i}", i == 1).ConfigureAwait(false);
        }

        return true;
    }

    private async Task BuildAsync(JsonObject spec, string name, bool first)
    {
        var from = spec["from"]?.GetValue<string>() ?? context.Remotes.Keys.First();
        var sender = spec["sender"] is { } s ? context.Substitute(s.GetValue<string>()) : $"@{context.RemoteUsers[from][0]}:{context.ServerOf(from)}";
        var signerAlias = spec["signer"]?.GetValue<string>() ?? context.AliasOf(MatrixIds.ServerNameOf(sender) ?? "") ?? from;
        var signer = context.Remote(signerAlias).Identity;
        var type = spec["type"]?.GetValue<string>() ?? EventTypes.Message;
        var stateKey = spec["state_key"] is { } k ? context.Substitute(k.GetValue<string>()) : null;
        var content = spec["content"] is { } c
            ? context.SubstituteAll(c)!.AsObject()
            : new JsonObject { ["msgtype"] = "m.text", ["body"] = spec["body"]?.GetValue<string>() ?? name };
        IReadOnlyList<string> prevs = spec["prev"] is null || !first ? [context.Id(context.Tip)] : [.. Names(spec["prev"]).Select(context.Id)];
        var otherRoom = spec["room"]?.GetValue<string>() == "other";
        var json = new JsonObject
        {
            ["room_id"] = otherRoom ? $"!other{context.RunId}:{signer.ServerName}" : context.RoomId,
            ["sender"] = sender,
            ["type"] = type,
            ["content"] = content,
            ["prev_events"] = References(prevs),
            ["depth"] = spec["depth"]?.GetValue<long>() ?? 1 + prevs.Select(p => context.Dag.Get(p)?.Depth ?? 0).DefaultIfEmpty(0).Max(),
            // Later than everything prepared before (joins), and strictly increasing: ties would make resolution order arbitrary.
            ["origin_server_ts"] = _clock = Math.Max(_clock + 1, context.Time.GetUtcNow().ToUnixTimeMilliseconds()),
        };
        if (stateKey is not null)
        {
            json["state_key"] = stateKey;
        }

        if (!context.Version.UsesV11Redaction)
        {
            json["origin"] = signer.ServerName;
        }

        if (context.Version.UsesEventReferencePairs)
        {
            json["event_id"] = $"${RandomNumberGenerator.GetHexString(16, lowercase: true)}:{signer.ServerName}";
        }

        var auth = spec["auth"] is null ? await SelectAuthEventsAsync(prevs, type, sender, stateKey, content).ConfigureAwait(false)
            : [.. Names(spec["auth"]).Select(context.Id)];
        json["auth_events"] = References(auth);
        foreach (var (key, value) in spec["raw"] as JsonObject ?? [])
        {
            json[key] = context.SubstituteAll(value);
        }

        Sign(json, spec["sign"]?.GetValue<string>() ?? "valid", signer);
        foreach (var (key, value) in spec["tamper"] as JsonObject ?? [])
        {
            json[key] = context.SubstituteAll(value);
        }

        var eventId = EventIdOf(json);
        context.Name(name, eventId);
        context.Built[name] = new BuiltEvent(name, eventId, json, spec["withheld"]?.GetValue<bool>() ?? false);
        if (Pdu.TryParse(JsonSigning.ToElement(json), context.Version, out var pdu, out _) && !otherRoom)
        {
            context.Dag.Add(pdu);
        }

        if (!otherRoom && !(spec["side"]?.GetValue<bool>() ?? false))
        {
            context.Tip = name;
        }
    }

    private async Task<IReadOnlyList<string>> SelectAuthEventsAsync(IReadOnlyList<string> prevs, string type, string sender, string? stateKey, JsonObject content)
    {
        var state = await context.Dag.StateBeforePrevsAsync(prevs).ConfigureAwait(false);
        var keys = AuthEventSelection.Select(context.Version, type, sender, stateKey, JsonSigning.ToElement(content));
        return [.. keys.Select(key => state.GetValueOrDefault(key)).OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    private void Sign(JsonObject json, string how, ServerIdentity signer)
    {
        var version = context.Version;
        switch (how)
        {
            case "valid":
                EventSigning.HashAndSign(json, version, signer.ServerName, signer.SigningKey);
                break;
            case "none":
                EventSigning.HashAndSign(json, version, signer.ServerName, signer.SigningKey);
                json.Remove("signatures");
                break;
            case "unknown-key":
                EventSigning.HashAndSign(json, version, signer.ServerName, SigningKey.Generate("unpublished"));
                break;
            case "bad":
                // The published key id, other key material: the signature is there and does not verify.
                EventSigning.HashAndSign(json, version, signer.ServerName, SigningKey.Generate(signer.SigningKey.Version));
                break;
            default:
                throw new FormatException($"unknown \"sign\": {how} (valid, none, unknown-key, bad)");
        }
    }

    private string EventIdOf(JsonObject json)
    {
        if (context.Version.UsesEventReferencePairs)
        {
            return json["event_id"]!.GetValue<string>();
        }

        return Pdu.EventIdFromReferenceHash(EventHashes.ReferenceHash(JsonSigning.ToElement(json), context.Version), context.Version);
    }

    private JsonArray References(IEnumerable<string> ids) =>
        context.Version.UsesEventReferencePairs
            ? new JsonArray([.. ids.Select(id => (JsonNode)new JsonArray(id, new JsonObject { ["sha256"] = "" }))])
            : new JsonArray([.. ids.Select(id => (JsonNode)id)]);

    private static IEnumerable<string> Names(JsonNode? list) =>
        list is JsonArray array ? array.Select(n => n!.GetValue<string>()) : [];
}
