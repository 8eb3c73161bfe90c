using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Protocol.Events;

/// <summary>
/// The redaction algorithm of every room version: which top-level keys and which content keys survive.
/// Written as a filter over the canonical encoder, so hashing the redacted form never builds an intermediate copy.
/// </summary>
public static class Redaction
{
    private static readonly string[] TopLevelV1 =
    [
        "auth_events", "content", "depth", "event_id", "hashes", "membership", "origin", "origin_server_ts",
        "prev_events", "prev_state", "room_id", "sender", "signatures", "state_key", "type",
    ];

    private static readonly string[] TopLevelV11 =
    [
        "auth_events", "content", "depth", "event_id", "hashes", "origin_server_ts", "prev_events", "room_id", "sender",
        "signatures", "state_key", "type",
    ];

    /// <summary>The redacted form of an event (spec "Redactions"), as a standalone element.</summary>
    public static JsonElement Redact(JsonElement pdu, RoomVersion version)
    {
        using var buffer = new PooledBufferWriter();
        WriteRedacted(pdu, version, buffer, includeSignatures: true);
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Writes the canonical encoding of the redacted event. Without <paramref name="includeSignatures"/> the output is
    /// exactly what the reference hash and the event's signatures cover.
    /// </summary>
    public static void WriteRedacted(JsonElement pdu, RoomVersion version, PooledBufferWriter output, bool includeSignatures)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(output);
        if (pdu.ValueKind != JsonValueKind.Object)
        {
            throw new CanonicalJsonException("An event must be a JSON object");
        }

        var keep = version.UsesV11Redaction ? TopLevelV11 : TopLevelV1;
        var type = pdu.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()
            : null;

        using var properties = SortedProperties.Of(pdu);
        output.Write((byte)'{');
        var first = true;
        foreach (var property in properties)
        {
            var name = property.Name;
            if (!Contains(keep, name) || (!includeSignatures && name.SequenceEqual("signatures"u8)))
            {
                continue;
            }

            if (!first)
            {
                output.Write((byte)',');
            }

            first = false;
            CanonicalJson.WriteString(name, output);
            output.Write((byte)':');
            if (name.SequenceEqual("content"u8))
            {
                WriteRedactedContent(property.Value, type, version, output);
            }
            else
            {
                CanonicalJson.Write(property.Value, output);
            }
        }

        output.Write((byte)'}');
    }

    /// <summary>
    /// Writes, in one pass over the event's sorted top-level keys, both hash inputs of an event whose <c>type</c> is the
    /// string <paramref name="type"/> (<c>null</c> if it has none or another value): <paramref name="contentHashInput"/>
    /// receives what <see cref="EventHashes.ContentHash"/> hashes (the event without <c>unsigned</c>, <c>signatures</c>
    /// and <c>hashes</c>) and <paramref name="signedBytes"/> what <see cref="WriteRedacted"/> writes without signatures.
    /// A member both keep unchanged is encoded once and copied.
    /// </summary>
    /// <exception cref="CanonicalJsonException">
    /// Some member cannot be encoded. It may matter to only one of the two outputs, so callers that need just one of
    /// them should then compute that one alone.
    /// </exception>
    internal static void WriteHashInputs(
        JsonElement pdu, RoomVersion version, string? type, PooledBufferWriter contentHashInput, PooledBufferWriter signedBytes)
    {
        if (pdu.ValueKind != JsonValueKind.Object)
        {
            throw new CanonicalJsonException("An event must be a JSON object");
        }

        var keep = version.UsesV11Redaction ? TopLevelV11 : TopLevelV1;

        using var properties = SortedProperties.Of(pdu);
        contentHashInput.Write((byte)'{');
        signedBytes.Write((byte)'{');
        var firstHashed = true;
        var firstSigned = true;
        foreach (var property in properties)
        {
            var name = property.Name;
            var value = property.Value;
            var hashed = !name.SequenceEqual("unsigned"u8) && !name.SequenceEqual("signatures"u8) && !name.SequenceEqual("hashes"u8);
            var signed = Contains(keep, name) && !name.SequenceEqual("signatures"u8);
            var memberStart = 0;
            if (hashed)
            {
                if (!firstHashed)
                {
                    contentHashInput.Write((byte)',');
                }

                firstHashed = false;
                memberStart = contentHashInput.WrittenCount;
                CanonicalJson.WriteMember(name, value, contentHashInput);
            }

            if (!signed)
            {
                continue;
            }

            if (!firstSigned)
            {
                signedBytes.Write((byte)',');
            }

            firstSigned = false;
            if (name.SequenceEqual("content"u8))
            {
                CanonicalJson.WriteString(name, signedBytes);
                signedBytes.Write((byte)':');
                WriteRedactedContent(value, type, version, signedBytes);
            }
            else if (hashed)
            {
                // Canonical bytes do not depend on where a value sits, so the member just written is the same here.
                signedBytes.Write(contentHashInput.WrittenSpan[memberStart..]);
            }
            else
            {
                CanonicalJson.WriteString(name, signedBytes);
                signedBytes.Write((byte)':');
                CanonicalJson.Write(value, signedBytes);
            }
        }

        contentHashInput.Write((byte)'}');
        signedBytes.Write((byte)'}');
    }

    private static void WriteRedactedContent(JsonElement content, string? type, RoomVersion version, PooledBufferWriter output)
    {
        if (content.ValueKind != JsonValueKind.Object)
        {
            // Malformed content does not survive redaction in any form.
            output.Write("{}"u8);
            return;
        }

        if (type == "m.room.create" && version.UsesV11Redaction)
        {
            CanonicalJson.Write(content, output);
            return;
        }

        var keep = ContentKeysKept(type, version);
        if (keep.Length == 0 && !HasEscapedName(content))
        {
            // Most event types keep no content. (An escaped key still goes the long way, which checks that it unescapes.)
            output.Write("{}"u8);
            return;
        }

        using var properties = SortedProperties.Of(content);
        output.Write((byte)'{');
        var first = true;
        foreach (var property in properties)
        {
            var name = property.Name;
            if (!Contains(keep, name))
            {
                continue;
            }

            var value = property.Value;
            var isThirdPartyInvite = name.SequenceEqual("third_party_invite"u8);
            if (isThirdPartyInvite && (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("signed", out _)))
            {
                continue;
            }

            if (!first)
            {
                output.Write((byte)',');
            }

            first = false;
            CanonicalJson.WriteString(name, output);
            output.Write((byte)':');
            if (isThirdPartyInvite)
            {
                // v11 keeps only the signed part of a third-party invite.
                output.Write("{\"signed\":"u8);
                CanonicalJson.Write(value.GetProperty("signed"), output);
                output.Write((byte)'}');
            }
            else
            {
                CanonicalJson.Write(value, output);
            }
        }

        output.Write((byte)'}');
    }

    private static readonly string[] NoKeys = [];
    private static readonly string[] MemberV1 = ["membership"];
    private static readonly string[] MemberV9 = ["join_authorised_via_users_server", "membership"];
    private static readonly string[] MemberV11 = ["join_authorised_via_users_server", "membership", "third_party_invite"];
    private static readonly string[] CreateV1 = ["creator"];
    private static readonly string[] JoinRulesV1 = ["join_rule"];
    private static readonly string[] JoinRulesV8 = ["allow", "join_rule"];
    private static readonly string[] PowerLevelsV1 =
        ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"];
    private static readonly string[] PowerLevelsV11 =
        ["ban", "events", "events_default", "invite", "kick", "redact", "state_default", "users", "users_default"];
    private static readonly string[] HistoryVisibility = ["history_visibility"];
    private static readonly string[] Aliases = ["aliases"];
    private static readonly string[] RedactionV11 = ["redacts"];

    private static string[] ContentKeysKept(string? type, RoomVersion version) => type switch
    {
        "m.room.member" when version.UsesV11Redaction => MemberV11,
        "m.room.member" => version.RedactionKeepsJoinAuthorisedVia ? MemberV9 : MemberV1,
        "m.room.create" => CreateV1,
        "m.room.join_rules" => version.RedactionKeepsJoinRulesAllow ? JoinRulesV8 : JoinRulesV1,
        "m.room.power_levels" => version.UsesV11Redaction ? PowerLevelsV11 : PowerLevelsV1,
        "m.room.history_visibility" => HistoryVisibility,
        "m.room.aliases" when version.RedactionKeepsAliases => Aliases,
        "m.room.redaction" when version.UsesV11Redaction => RedactionV11,
        _ => NoKeys,
    };

    private static bool HasEscapedName(JsonElement obj)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (JsonMarshal.GetRawUtf8PropertyName(property).IndexOf((byte)'\\') >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(string[] keys, ReadOnlySpan<byte> name)
    {
        foreach (var key in keys)
        {
            if (Ascii.Equals(name, key))
            {
                return true;
            }
        }

        return false;
    }
}
