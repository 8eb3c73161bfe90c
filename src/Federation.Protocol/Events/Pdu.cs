using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Federation.Protocol.Crypto;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Protocol.Events;

/// <summary>
/// A persistent data unit (room event) in federation format, with the fields the protocol and the auth rules read
/// already extracted. The received JSON is kept as is: hashes and signatures are always recomputed from it.
/// </summary>
public sealed class Pdu
{
    private byte[]? _signedBytes;
    private byte[]? _contentHash;
    private bool _idsTrusted;

    private Pdu(JsonElement json, RoomVersion version)
    {
        Json = json;
        RoomVersion = version;
    }

    /// <summary>The event as received (federation format, without <c>event_id</c> for room versions 3 and later).</summary>
    public JsonElement Json { get; }

    public RoomVersion RoomVersion { get; }

    public string EventId { get; private set; } = "";

    /// <summary>The room id; for a room-version-12 create event (which has none on the wire) it is derived from the event id.</summary>
    public string RoomId { get; private set; } = "";

    public string Type { get; private set; } = "";

    /// <summary>The state key, or <c>null</c> for a message (non-state) event.</summary>
    public string? StateKey { get; private set; }

    public bool IsState => StateKey is not null;

    public string Sender { get; private set; } = "";

    public long OriginServerTs { get; private set; }

    public long Depth { get; private set; }

    /// <summary>The content object (an empty object when the event carries none).</summary>
    public JsonElement Content { get; private set; }

    public IReadOnlyList<string> PrevEvents { get; private set; } = [];

    public IReadOnlyList<string> AuthEvents { get; private set; } = [];

    /// <summary>The event a redaction redacts: top-level <c>redacts</c>, or <c>content.redacts</c> from room version 11.</summary>
    public string? Redacts { get; private set; }

    /// <summary><c>content.membership</c> of a member event, else <c>null</c>.</summary>
    public string? Membership { get; private set; }

    /// <summary>Whether this is the room's <c>m.room.create</c> event.</summary>
    public bool IsCreateEvent => Type == EventTypes.Create && StateKey?.Length == 0;

    /// <summary>The bytes the event's signatures cover (its redacted canonical form), computed once.</summary>
    public ReadOnlySpan<byte> SignedBytes => _signedBytes ??= EventHashes.SignedBytes(Json, RoomVersion);

    /// <summary>SHA-256 of the event's content-hash input (see <see cref="EventHashes.ContentHash"/>), computed once.</summary>
    internal ReadOnlySpan<byte> ContentHash => _contentHash ??= EventHashes.ContentHash(Json);

    /// <summary>
    /// Parses a PDU received over federation: checks its format for <paramref name="version"/> (strict canonical JSON
    /// from version 6; in every version, JSON that canonical JSON can encode, without duplicate keys) and computes its event id (v1/v2 take the
    /// supplied <c>event_id</c>).
    /// </summary>
    /// <exception cref="PduFormatException">The event is malformed; the message says which field and why.</exception>
    public static Pdu Parse(JsonElement json, RoomVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        try
        {
            // Versions before 6 tolerate non-canonical numbers but not invalid UTF-8 or unpaired surrogate escapes:
            // reading such a string throws, and no hash or signature can be computed over it. Duplicate keys are refused
            // in every version: a reader keeping the last value (Synapse's) hashes other bytes than the sender signed.
            CanonicalJson.Validate(json, strict: version.EnforcesCanonicalJson, rejectDuplicates: true);
        }
        catch (CanonicalJsonException e)
        {
            throw new PduFormatException(e.Message, e);
        }

        var pdu = new Pdu(json, version);
        var members = pdu.ReadFields();
        pdu.EventId = version.EventIdFormat switch
        {
            EventIdFormat.OriginSupplied => pdu.ReadOriginSuppliedId(members),
            _ => pdu.ComputeReferenceHashId(members),
        };
        pdu.DeriveRoomIdOfCreate();
        return pdu;
    }

    /// <summary>As <see cref="Parse"/>, reporting a malformed event as a value.</summary>
    public static bool TryParse(
        JsonElement json,
        RoomVersion version,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Pdu? pdu,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        try
        {
            pdu = Parse(json, version);
            error = null;
            return true;
        }
        catch (PduFormatException e)
        {
            pdu = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// An event whose id the caller vouches for (events already verified and stored, or test data that names its
    /// events). The format is checked, except that ids (its own and referenced ones) may take any non-empty form;
    /// hashes and ids are not recomputed.
    /// </summary>
    public static Pdu WithTrustedId(JsonElement json, RoomVersion version, string eventId)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        var pdu = new Pdu(json, version) { EventId = eventId, _idsTrusted = true };
        _ = pdu.ReadFields();
        pdu.DeriveRoomIdOfCreate();
        return pdu;
    }

    /// <summary>The event id a room version gives a reference hash.</summary>
    public static string EventIdFromReferenceHash(ReadOnlySpan<byte> referenceHash, RoomVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.EventIdFormat == EventIdFormat.ReferenceHashStandardBase64
            ? "$" + UnpaddedBase64.Encode(referenceHash)
            : "$" + UnpaddedBase64.EncodeUrlSafe(referenceHash);
    }

    public override string ToString() => $"{EventId} ({Type}{(IsState ? $", '{StateKey}'" : "")})";

    /// <summary>Reads and checks the fields; returns the top-level members for the event id to be read or checked.</summary>
    private TopLevelMembers ReadFields()
    {
        if (Json.ValueKind != JsonValueKind.Object)
        {
            throw new PduFormatException($"An event must be a JSON object, not {Json.ValueKind}");
        }

        var members = TopLevelMembers.Of(Json);
        Type = RequiredString(members, "type");
        Sender = RequiredString(members, "sender");
        if (!MatrixIds.IsUserId(Sender))
        {
            throw new PduFormatException($"'sender' must be a user id (@localpart:server), got '{Sender}'");
        }

        StateKey = OptionalString(members, "state_key");
        var isV12Create = RoomVersion.RoomIdIsCreateEventHash && Type == EventTypes.Create && StateKey?.Length == 0;
        if (isV12Create)
        {
            if (members.TryGet("room_id", out _))
            {
                throw new PduFormatException("A room-version-12 create event must not have a 'room_id'");
            }
        }
        else
        {
            RoomId = RequiredString(members, "room_id");
        }

        OriginServerTs = RequiredInteger(members, "origin_server_ts");
        Depth = RequiredInteger(members, "depth");
        if (Depth < 0)
        {
            throw new PduFormatException($"'depth' must not be negative, got {Depth}");
        }

        Content = members.TryGet("content", out var content) ? content : default;
        if (Content.ValueKind != JsonValueKind.Object)
        {
            throw new PduFormatException("'content' must be a JSON object");
        }

        PrevEvents = ReadReferences(members, "prev_events");
        AuthEvents = ReadReferences(members, "auth_events");
        Membership = Type == EventTypes.Member && Content.TryGetProperty("membership", out var membership)
            && membership.ValueKind == JsonValueKind.String
            ? membership.GetString()
            : null;
        Redacts = Type != EventTypes.Redaction ? null
            : RoomVersion.RedactsInContent ? StringOrNull(Content, "redacts")
            : StringOrNull(members, "redacts");
        return members;
    }

    private string ReadOriginSuppliedId(in TopLevelMembers members)
    {
        var id = RequiredString(members, "event_id");
        if (!id.StartsWith('$') || MatrixIds.ServerNameOf(id) is null)
        {
            throw new PduFormatException($"'event_id' must look like $opaque:server in room version {RoomVersion.Id}, got '{id}'");
        }

        return id;
    }

    private string ComputeReferenceHashId(in TopLevelMembers members)
    {
        if (members.TryGet("event_id", out _))
        {
            // The id of these room versions is the reference hash; a supplied one is never trusted.
            throw new PduFormatException($"Events of room version {RoomVersion.Id} must not carry an 'event_id'");
        }

        try
        {
            // Receiving an event always goes on to check its content hash; both hashes' inputs share most of their
            // bytes, so they are written in one pass.
            _signedBytes = EventHashes.SignedBytesAndContentHash(Json, RoomVersion, Type, out _contentHash);
            return EventIdFromReferenceHash(EventHashes.Sha256(_signedBytes), RoomVersion);
        }
        catch (CanonicalJsonException e)
        {
            throw new PduFormatException(e.Message, e);
        }
    }

    private void DeriveRoomIdOfCreate()
    {
        if (RoomVersion.RoomIdIsCreateEventHash && IsCreateEvent)
        {
            RoomId = "!" + EventId[1..];
        }
    }

    private string[] ReadReferences(in TopLevelMembers members, string name)
    {
        if (!members.TryGet(name, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new PduFormatException($"'{name}' must be an array");
        }

        var ids = new string[list.GetArrayLength()];
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            // Room versions 1 and 2 reference events as [event_id, {hashes}] pairs, later ones by plain id;
            // both forms are read whatever the version, since test data and tools mix them.
            var id = item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                JsonValueKind.Array when item.GetArrayLength() > 0 && item[0].ValueKind == JsonValueKind.String => item[0].GetString(),
                _ => null,
            };
            // Referenced ids are only checked for form when the caller does not vouch for them: test suites name
            // events freely (Synapse's v1 cases use bare names such as "START").
            if (string.IsNullOrEmpty(id) || (!_idsTrusted && id[0] != '$'))
            {
                throw new PduFormatException($"'{name}[{i}]' is not an event id or [event_id, hashes] pair");
            }

            ids[i++] = id;
        }

        return ids;
    }

    private static string RequiredString(in TopLevelMembers members, string name) =>
        StringOrNull(members, name) ?? throw new PduFormatException($"'{name}' is required and must be a string");

    private static string? OptionalString(in TopLevelMembers members, string name)
    {
        if (!members.TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new PduFormatException($"'{name}' must be a string");
    }

    private static long RequiredInteger(in TopLevelMembers members, string name)
    {
        if (!members.TryGet(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw new PduFormatException($"'{name}' is required and must be an integer");
        }

        return number;
    }

    private static string? StringOrNull(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? StringOrNull(in TopLevelMembers members, string name) =>
        members.TryGet(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// The top-level members the fields are read from, found in one pass over the event: each lookup by name scans the
    /// object, and ten of them cost several times one pass. Duplicate keys resolve to the last, as
    /// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> resolves them; an event with an escaped key
    /// (never seen in practice) and names not listed here are looked up with TryGetProperty, which compares unescaped names.
    /// </summary>
    private readonly struct TopLevelMembers
    {
        private static readonly string[] Names =
        [
            "type", "sender", "state_key", "room_id", "origin_server_ts", "depth", "content", "prev_events", "auth_events",
            "redacts", "event_id",
        ];

        private static readonly byte[][] Utf8Names = [.. Names.Select(System.Text.Encoding.UTF8.GetBytes)];

        private readonly JsonElement _json;
        private readonly Values _values;
        private readonly bool _escapedKeys;

        private TopLevelMembers(JsonElement json, Values values, bool escapedKeys)
        {
            _json = json;
            _values = values;
            _escapedKeys = escapedKeys;
        }

        /// <summary>The members of <paramref name="json"/>, which must be an object.</summary>
        public static TopLevelMembers Of(JsonElement json)
        {
            var values = default(Values);
            foreach (var property in json.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(property);
                if (name.IndexOf((byte)'\\') >= 0)
                {
                    return new TopLevelMembers(json, default, escapedKeys: true);
                }

                for (var i = 0; i < Utf8Names.Length; i++)
                {
                    if (name.SequenceEqual(Utf8Names[i]))
                    {
                        values[i] = property.Value;
                        break;
                    }
                }
            }

            return new TopLevelMembers(json, values, escapedKeys: false);
        }

        public bool TryGet(string name, out JsonElement value)
        {
            var index = _escapedKeys ? -1 : Array.IndexOf(Names, name);
            if (index < 0)
            {
                return _json.TryGetProperty(name, out value);
            }

            value = _values[index];
            return value.ValueKind != JsonValueKind.Undefined;
        }

        [InlineArray(11)]
        private struct Values
        {
            private JsonElement _element;
        }
    }
}
