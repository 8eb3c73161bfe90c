using System.Text.Json.Nodes;
using Federation.Client.Keys;
using Federation.Ingest.Checks;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Testing.Events;

namespace Federation.Ingest.Tests.Checks;

public class PduSignatureCheckTests
{
    private static readonly ServerIdentity Origin = new("origin.test", SigningKey.Generate("k"));
    private static readonly DateTimeOffset KeyValidUntil = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    /// <summary>Keys as a key store would hand them out: the origin's one key, valid until <see cref="KeyValidUntil"/>.</summary>
    private sealed class KnownKeys(params VerifyKey[] keys) : IRemoteServerKeys
    {
        public Task<VerifyKey?> GetAsync(string serverName, string keyId, DateTimeOffset validAt, CancellationToken cancellationToken) =>
            Task.FromResult(keys.FirstOrDefault(k => k.ServerName == serverName && k.KeyId == keyId && k.IsValidAt(validAt)));

        public Task<ServerKeysResponse?> GetResponseAsync(string serverName, DateTimeOffset minimumValidUntil, CancellationToken cancellationToken) =>
            Task.FromResult<ServerKeysResponse?>(null);
    }

    private static readonly PduSignatureCheck Check = new(new KnownKeys(
        new VerifyKey(Origin.ServerName, Origin.SigningKey.KeyId, Origin.SigningKey.PublicKey, KeyValidUntil, null)));

    private static Pdu Parse(System.Text.Json.JsonElement json, string version = "10") => Pdu.Parse(json, RoomVersion.Get(version));

    [Fact]
    public async Task An_event_signed_by_its_senders_server_passes()
    {
        var outcome = await Check.CheckAsync(Parse(SignedPdus.Create(Origin, RoomVersion.Get("10"))), CancellationToken.None);
        Assert.True(outcome.IsAccepted, outcome.Reason);
    }

    [Fact]
    public async Task An_event_signed_by_an_unknown_key_is_dropped()
    {
        var impostor = new ServerIdentity("origin.test", SigningKey.Generate("other"));

        var outcome = await Check.CheckAsync(Parse(SignedPdus.Create(impostor, RoomVersion.Get("10"))), CancellationToken.None);

        Assert.Equal(PduDisposition.Dropped, outcome.Disposition);
        Assert.Contains("origin.test", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_claiming_a_sender_of_another_server_is_dropped()
    {
        var json = SignedPdus.Create(Origin, RoomVersion.Get("10"), new JsonObject { ["sender"] = "@mallory:victim.test" });

        var outcome = await Check.CheckAsync(Parse(json), CancellationToken.None);

        Assert.Equal(PduDisposition.Dropped, outcome.Disposition);
        Assert.Contains("victim.test", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_field_changed_after_signing_drops_the_event()
    {
        var json = SignedPdus.Tampered(SignedPdus.Create(Origin, RoomVersion.Get("10")), "depth", 99);
        Assert.Equal(PduDisposition.Dropped, (await Check.CheckAsync(Parse(json), CancellationToken.None)).Disposition);
    }

    [Fact]
    public async Task From_room_version_5_the_key_must_be_valid_when_the_event_was_sent()
    {
        var late = KeyValidUntil.ToUnixTimeMilliseconds() + 1;
        var v5 = SignedPdus.Create(Origin, RoomVersion.Get("5"), originServerTs: late);
        var v4 = SignedPdus.Create(Origin, RoomVersion.Get("4"), originServerTs: late);

        Assert.Equal(PduDisposition.Dropped, (await Check.CheckAsync(Parse(v5, "5"), CancellationToken.None)).Disposition);
        Assert.True((await Check.CheckAsync(Parse(v4, "4"), CancellationToken.None)).IsAccepted);
    }

    [Fact]
    public async Task Version_1_events_also_need_the_signature_of_the_server_in_their_event_id()
    {
        var json = SignedPdus.Create(Origin, RoomVersion.Get("1"), new JsonObject { ["event_id"] = "$abc:elsewhere.test" });

        var outcome = await Check.CheckAsync(Parse(json, "1"), CancellationToken.None);

        Assert.Equal(PduDisposition.Dropped, outcome.Disposition);
        Assert.Contains("elsewhere.test", outcome.Reason, StringComparison.Ordinal);
    }
}
