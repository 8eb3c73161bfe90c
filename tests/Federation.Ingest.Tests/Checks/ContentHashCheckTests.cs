using System.Text.Json.Nodes;
using Federation.Ingest.Checks;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Testing.Events;

namespace Federation.Ingest.Tests.Checks;

public class ContentHashCheckTests
{
    private static readonly ServerIdentity Origin = new("origin.test", SigningKey.Generate("k"));
    private static readonly RoomVersion V10 = RoomVersion.Get("10");

    [Fact]
    public void An_event_with_a_matching_hash_is_kept_as_it_is()
    {
        var pdu = Pdu.Parse(SignedPdus.Create(Origin, V10), V10);

        var (result, redacted) = ContentHashCheck.Apply(pdu);

        Assert.False(redacted);
        Assert.Same(pdu, result);
    }

    [Fact]
    public void An_event_whose_content_was_changed_is_replaced_by_its_redacted_form_with_the_same_id()
    {
        var original = SignedPdus.Create(Origin, V10);
        var tampered = Pdu.Parse(SignedPdus.Tampered(original, "content", new JsonObject { ["body"] = "changed" }), V10);

        var (result, redacted) = ContentHashCheck.Apply(tampered);

        Assert.True(redacted);
        Assert.Equal(Pdu.Parse(original, V10).EventId, result.EventId);
        Assert.Equal("{}", result.Content.GetRawText());
        Assert.True(EventSigning.VerifySignature(result, "origin.test", Origin.SigningKey.KeyId, Origin.SigningKey.PublicKey));
    }
}
