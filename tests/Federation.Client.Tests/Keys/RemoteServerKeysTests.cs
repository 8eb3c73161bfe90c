using System.Text.Json.Nodes;
using Federation.Api.Keys;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Testing.Homeservers;

namespace Federation.Client.Tests.Keys;

public class RemoteServerKeysTests
{
    [Fact]
    public async Task A_key_is_fetched_from_its_server_verified_and_then_served_from_memory()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        using var harness = new ClientHarness(ClientHarness.Destinations(("remote.test", remote.BaseAddress)));

        var key = await harness.Keys.GetAsync("remote.test", remote.SigningKey.KeyId, harness.Time.GetUtcNow(), CancellationToken.None);
        var again = await harness.Keys.GetAsync("remote.test", remote.SigningKey.KeyId, harness.Time.GetUtcNow(), CancellationToken.None);

        Assert.NotNull(key);
        Assert.Equal(remote.SigningKey.PublicKey, key.PublicKey);
        Assert.Same(key, again);
        Assert.Single(remote.Requests);
    }

    [Fact]
    public async Task Our_own_current_key_is_known_without_asking_anyone()
    {
        using var harness = new ClientHarness(ClientHarness.Destinations());

        var key = await harness.Keys.GetAsync(
            harness.Identity.ServerName, harness.Identity.SigningKey.KeyId, harness.Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(harness.Identity.SigningKey.PublicKey, key!.PublicKey);
        Assert.Null(await harness.Keys.GetAsync(harness.Identity.ServerName, "ed25519:other", harness.Time.GetUtcNow(), CancellationToken.None));
    }

    [Fact]
    public async Task Validity_is_capped_at_seven_days_from_the_fetch()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        using var harness = new ClientHarness(ClientHarness.Destinations(("remote.test", remote.BaseAddress)));
        var now = harness.Time.GetUtcNow();

        var key = await harness.Keys.GetAsync("remote.test", remote.SigningKey.KeyId, now, CancellationToken.None);

        Assert.Equal(now + TimeSpan.FromDays(7), key!.ValidUntil);
        Assert.Null(await harness.Keys.GetAsync("remote.test", remote.SigningKey.KeyId, now + TimeSpan.FromDays(8), CancellationToken.None));
    }

    [Fact]
    public async Task A_response_signed_by_another_key_is_refused()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        var impostor = SigningKey.Generate("fake");
        remote.KeyResponse = () =>
        {
            var forged = JsonNode.Parse(ServerKeyResponse.Build(remote.Identity, DateTimeOffset.UnixEpoch.AddYears(100)))!.AsObject();
            forged.Remove("signatures");
            JsonSigning.Sign(forged, "remote.test", impostor);
            return CanonicalJson.Encode(JsonSigning.ToElement(forged));
        };
        using var harness = new ClientHarness(ClientHarness.Destinations(("remote.test", remote.BaseAddress)));

        Assert.Null(await harness.Keys.GetAsync("remote.test", remote.SigningKey.KeyId, harness.Time.GetUtcNow(), CancellationToken.None));
    }

    [Fact]
    public async Task A_response_naming_another_server_is_refused()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        remote.KeyResponse = () => ServerKeyResponse.Build(new ServerIdentity("other.test", remote.SigningKey), DateTimeOffset.UnixEpoch.AddYears(100));
        using var harness = new ClientHarness(ClientHarness.Destinations(("remote.test", remote.BaseAddress)));

        Assert.Null(await harness.Keys.GetAsync("remote.test", remote.SigningKey.KeyId, harness.Time.GetUtcNow(), CancellationToken.None));
    }

    [Fact]
    public async Task An_unknown_key_id_is_null_after_one_fetch()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        using var harness = new ClientHarness(ClientHarness.Destinations(("remote.test", remote.BaseAddress)));

        Assert.Null(await harness.Keys.GetAsync("remote.test", "ed25519:nope", harness.Time.GetUtcNow(), CancellationToken.None));
        Assert.Single(remote.Requests);
    }
}
