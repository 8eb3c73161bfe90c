using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;

namespace Federation.Benchmarks.Protocol;

/// <summary>Realistic events as they arrive over federation: signed, hashed, with <c>unsigned</c> added by the sender.</summary>
public static class SampleEvents
{
    public const string ServerName = "matrix.example.org";

    /// <summary>A fixed key, so every run hashes and signs the same bytes.</summary>
    public static SigningKey Key { get; } = SigningKey.FromSeed("a_bench", Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>
    /// A room-version-10 reply (<c>m.room.message</c> with <c>formatted_body</c> and <c>m.relates_to</c>), four auth events,
    /// two prev events, one server's signature and <c>unsigned.age</c>: about 1 KB on the wire. Keys are in the order a
    /// sender typically emits them, not canonical order, so the encoder has to sort.
    /// </summary>
    /// <summary>
    /// Escape only what JSON requires (quotes, backslashes, control characters), as Synapse and most servers do;
    /// System.Text.Json's default would also escape <c>&lt;</c>, <c>&gt;</c>, <c>'</c> and non-ASCII.
    /// </summary>
    private static readonly JsonSerializerOptions WireOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Message(RoomVersion version)
    {
        var pdu = new JsonObject
        {
            ["type"] = "m.room.message",
            ["room_id"] = "!OGEhHVWSdvArJzumhm:matrix.example.org",
            ["sender"] = "@alice.wonderland:matrix.example.org",
            ["origin"] = ServerName,
            ["origin_server_ts"] = 1732213337123L,
            ["depth"] = 48213,
            ["content"] = new JsonObject
            {
                ["msgtype"] = "m.text",
                ["body"] = "> <@bob:other.example.com> Did the deploy go out yet?\n\nYes, rolled out at 14:05 — latency is fine.",
                ["format"] = "org.matrix.custom.html",
                ["formatted_body"] = "<mx-reply><blockquote><a href=\"https://matrix.to/#/!OGEhHVWSdvArJzumhm:matrix.example.org/"
                    + "$Wq8nHF2x7nK0aVwP3Hqf5yQ1rT9sB4cD6eF8gH0iJkL\">In reply to</a> "
                    + "<a href=\"https://matrix.to/#/@bob:other.example.com\">Bob</a><br>"
                    + "Did the deploy go out yet?</blockquote></mx-reply>Yes, rolled out at <b>14:05</b> — latency is fine.",
                ["m.relates_to"] = new JsonObject
                {
                    ["m.in_reply_to"] = new JsonObject { ["event_id"] = "$Wq8nHF2x7nK0aVwP3Hqf5yQ1rT9sB4cD6eF8gH0iJkL" },
                },
            },
            ["auth_events"] = new JsonArray(
                "$cRe4tEeVeNtHaShAbCdEfGhIjKlMnOpQrStUvWxYz01",
                "$pOwErLeVeLsHaShAbCdEfGhIjKlMnOpQrStUvWxYz02",
                "$mEmBeRsHiPhAsHaBcDeFgHiJkLmNoPqRsTuVwXyZ03",
                "$jOiNrUlEsHaShAbCdEfGhIjKlMnOpQrStUvWxYz0004"),
            ["prev_events"] = new JsonArray(
                "$pReVoNeHaShAbCdEfGhIjKlMnOpQrStUvWxYz012345",
                "$pReVtWoHaShAbCdEfGhIjKlMnOpQrStUvWxYz012345"),
        };
        EventSigning.HashAndSign(pdu, version, ServerName, Key);
        pdu["unsigned"] = new JsonObject { ["age"] = 1234 };
        return JsonSerializer.SerializeToUtf8Bytes(pdu, WireOptions);
    }
}
