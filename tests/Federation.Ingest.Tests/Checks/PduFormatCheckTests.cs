using System.Text.Json.Nodes;
using Federation.Ingest.Checks;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Testing.Events;

namespace Federation.Ingest.Tests.Checks;

public class PduFormatCheckTests
{
    private static readonly ServerIdentity Origin = new("origin.test", SigningKey.Generate("k"));
    private static readonly RoomVersion V10 = RoomVersion.Get("10");

    [Fact]
    public void A_well_formed_event_passes_and_is_parsed()
    {
        var json = SignedPdus.Create(Origin, V10);

        var outcome = PduFormatCheck.Check(json, V10, enforceReferenceLimits: true, out var pdu);

        Assert.True(outcome.IsAccepted, outcome.Reason);
        Assert.NotNull(pdu);
        Assert.StartsWith("$", pdu.EventId, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_over_64_KiB_is_dropped()
    {
        var json = SignedPdus.Create(Origin, V10, new JsonObject { ["content"] = new JsonObject { ["body"] = new string('x', 70_000) } });

        var outcome = PduFormatCheck.Check(json, V10, enforceReferenceLimits: true, out var pdu);

        Assert.Equal(PduDisposition.Dropped, outcome.Disposition);
        Assert.Contains("65536", outcome.Reason, StringComparison.Ordinal);
        Assert.Null(pdu);
    }

    [Fact]
    public void An_event_just_under_64_KiB_passes()
    {
        var json = SignedPdus.Create(Origin, V10, new JsonObject { ["content"] = new JsonObject { ["body"] = new string('x', 64_000) } });
        Assert.True(PduFormatCheck.Check(json, V10, enforceReferenceLimits: true, out _).IsAccepted);
    }

    [Fact]
    public void More_than_20_prev_events_are_dropped_for_new_events_but_allowed_in_backfill()
    {
        var prevs = new JsonArray(Enumerable.Range(0, 21).Select(i => (JsonNode)$"$prev{i}").ToArray());
        var json = SignedPdus.Create(Origin, V10, new JsonObject { ["prev_events"] = prevs });

        Assert.Equal(PduDisposition.Dropped, PduFormatCheck.Check(json, V10, enforceReferenceLimits: true, out _).Disposition);
        Assert.True(PduFormatCheck.Check(json, V10, enforceReferenceLimits: false, out _).IsAccepted);
    }

    [Fact]
    public void More_than_10_auth_events_are_dropped()
    {
        var auth = new JsonArray(Enumerable.Range(0, 11).Select(i => (JsonNode)$"$auth{i}").ToArray());
        var json = SignedPdus.Create(Origin, V10, new JsonObject { ["auth_events"] = auth });

        var outcome = PduFormatCheck.Check(json, V10, enforceReferenceLimits: true, out _);

        Assert.Equal(PduDisposition.Dropped, outcome.Disposition);
        Assert.Contains("auth_events", outcome.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type")]
    [InlineData("state_key")]
    public void Identifiers_over_255_bytes_are_dropped(string field)
    {
        var json = SignedPdus.Create(Origin, V10, new JsonObject { [field] = new string('é', 128) });

        var outcome = PduFormatCheck.Check(json, V10, enforceReferenceLimits: true, out _);

        Assert.Equal(PduDisposition.Dropped, outcome.Disposition);
        Assert.Contains(field, outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_float_is_dropped_in_room_version_6_and_later_only()
    {
        var fields = new JsonObject { ["content"] = new JsonObject { ["n"] = JsonNode.Parse("1.5") } };
        Assert.Equal(PduDisposition.Dropped, PduFormatCheck.Check(SignedPdus.Create(Origin, V10, fields), V10, true, out _).Disposition);

        var v5 = RoomVersion.Get("5");
        Assert.True(PduFormatCheck.Check(SignedPdus.Create(Origin, v5, fields), v5, true, out _).IsAccepted);
    }

    [Fact]
    public void A_missing_field_is_dropped_with_its_name()
    {
        var json = SignedPdus.Tampered(SignedPdus.Create(Origin, V10), "sender", null);

        var outcome = PduFormatCheck.Check(json, V10, enforceReferenceLimits: true, out _);

        Assert.Equal(PduDisposition.Dropped, outcome.Disposition);
        Assert.Contains("sender", outcome.Reason, StringComparison.Ordinal);
    }
}
