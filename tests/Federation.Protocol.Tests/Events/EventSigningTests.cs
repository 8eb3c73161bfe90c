using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Protocol.Tests.Events;

public class EventSigningTests
{
    private static readonly RoomVersion V1 = RoomVersion.Get("1");

    [Fact]
    public void HashAndSign_reproduces_the_spec_minimal_event_vector()
    {
        var pdu = JsonNode.Parse("""
            {"room_id":"!x:domain","sender":"@a:domain","origin":"domain","origin_server_ts":1000000,"signatures":{},
             "hashes":{},"type":"X","content":{},"prev_events":[],"auth_events":[],"depth":3,"unsigned":{"age_ts":1000000}}
            """)!.AsObject();

        EventSigning.HashAndSign(pdu, V1, SpecVectors.ServerName, SpecVectors.Key);

        Assert.Equal("5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos", pdu["hashes"]!["sha256"]!.GetValue<string>());
        Assert.Equal(
            "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg",
            pdu["signatures"]!["domain"]!["ed25519:1"]!.GetValue<string>());
        Assert.Equal(1000000, pdu["unsigned"]!["age_ts"]!.GetValue<int>());
    }

    [Fact]
    public void HashAndSign_reproduces_the_spec_redactable_event_vector()
    {
        var pdu = JsonNode.Parse("""
            {"content":{"body":"Here is the message content"},"event_id":"$0:domain","origin":"domain",
             "origin_server_ts":1000000,"type":"m.room.message","room_id":"!r:domain","sender":"@u:domain",
             "signatures":{},"unsigned":{"age_ts":1000000}}
            """)!.AsObject();

        EventSigning.HashAndSign(pdu, V1, SpecVectors.ServerName, SpecVectors.Key);

        Assert.Equal("onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g", pdu["hashes"]!["sha256"]!.GetValue<string>());
        Assert.Equal(
            "Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA",
            pdu["signatures"]!["domain"]!["ed25519:1"]!.GetValue<string>());
    }

    [Fact]
    public void A_signed_event_verifies_and_keeps_verifying_after_redaction()
    {
        var version = RoomVersion.Get("10");
        var pdu = Pdu.Parse(SignedMessage(version), version);

        Assert.True(EventSigning.HasValidContentHash(pdu));
        Assert.True(EventSigning.VerifySignature(pdu, "domain", "ed25519:1", SpecVectors.Key.PublicKey));

        var redacted = Pdu.Parse(Redaction.Redact(pdu.Json, version), version);
        Assert.Equal(pdu.EventId, redacted.EventId);
        Assert.True(EventSigning.VerifySignature(redacted, "domain", "ed25519:1", SpecVectors.Key.PublicKey));
        Assert.False(EventSigning.HasValidContentHash(redacted));
    }

    [Fact]
    public void A_changed_body_breaks_the_content_hash_but_not_the_signature()
    {
        var version = RoomVersion.Get("10");
        var json = JsonNode.Parse(SignedMessage(version).GetRawText())!.AsObject();
        json["content"]!["body"] = "something else";
        var pdu = Pdu.Parse(JsonSigning.ToElement(json), version);

        Assert.False(EventSigning.HasValidContentHash(pdu));
        Assert.True(EventSigning.VerifySignature(pdu, "domain", "ed25519:1", SpecVectors.Key.PublicKey));
    }

    [Fact]
    public void A_changed_sender_breaks_the_signature()
    {
        var version = RoomVersion.Get("10");
        var json = JsonNode.Parse(SignedMessage(version).GetRawText())!.AsObject();
        json["sender"] = "@mallory:domain";
        var pdu = Pdu.Parse(JsonSigning.ToElement(json), version);

        Assert.False(EventSigning.VerifySignature(pdu, "domain", "ed25519:1", SpecVectors.Key.PublicKey));
    }

    [Fact]
    public void RequiredSigners_names_the_sender_event_id_and_authorising_servers()
    {
        var v1 = Pdu.WithTrustedId(JsonSigning.ToElement(JsonNode.Parse("""
            {"event_id":"$e:origin.example","room_id":"!r:x","sender":"@u:sender.example","type":"m.room.message",
             "content":{},"prev_events":[],"auth_events":[],"depth":1,"origin_server_ts":1}
            """)!), RoomVersion.Get("1"), "$e:origin.example");
        Assert.Equal(["origin.example", "sender.example"], EventSigning.RequiredSigners(v1).Order(StringComparer.Ordinal));

        var join = Pdu.WithTrustedId(JsonSigning.ToElement(JsonNode.Parse("""
            {"room_id":"!r:x","sender":"@u:joiner.example","type":"m.room.member","state_key":"@u:joiner.example",
             "content":{"membership":"join","join_authorised_via_users_server":"@admin:resident.example"},
             "prev_events":[],"auth_events":[],"depth":1,"origin_server_ts":1}
            """)!), RoomVersion.Get("9"), "$join");
        Assert.Equal(["joiner.example", "resident.example"], EventSigning.RequiredSigners(join).Order(StringComparer.Ordinal));
    }

    private static System.Text.Json.JsonElement SignedMessage(RoomVersion version)
    {
        var pdu = JsonNode.Parse("""
            {"room_id":"!r:domain","sender":"@u:domain","type":"m.room.message","content":{"body":"hello","msgtype":"m.text"},
             "prev_events":["$a"],"auth_events":["$b","$c"],"depth":5,"origin_server_ts":1700000000000}
            """)!.AsObject();
        EventSigning.HashAndSign(pdu, version, "domain", SpecVectors.Key);
        return JsonSigning.ToElement(pdu);
    }
}
