using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Api.Keys;
using Federation.Api.Limits;
using Federation.Protocol.Keys;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Tests.Limits;

/// <summary>
/// One origin floods us with transactions that each take long (their events are signed by a server whose key takes
/// as long as the test likes to arrive). Beyond its limit it is refused with 429, while another origin is served.
/// </summary>
public sealed class OriginConcurrencyTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database, "remote.test", "other.test"), IClassFixture<PostgresDatabaseFixture>
{
    private const int Limit = 3;

    [Fact]
    public async Task An_origin_past_its_concurrent_request_limit_is_refused_with_429_while_another_origin_is_served()
    {
        var slowKeys = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new ServerIdentity("slow.test", SigningKey.Generate("slow"));
        await using var slowServer = LoopbackApp.Create();
        slowServer.MapGet("/_matrix/key/v2/server", async () =>
        {
            await slowKeys.Task;
            return Results.Bytes(ServerKeyResponse.Build(slow, LoopbackApp.KeysValidUntil), "application/json");
        });
        Server.Settings["FederationClient:Destinations:slow.test"] = (await LoopbackApp.StartAsync(slowServer)).ToString();
        Server.Settings["InboundFederation:MaxConcurrentRequestsPerOrigin"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Server.Settings["InboundFederation:RetryAfter"] = "00:00:02";
        using var client = Server.CreateClient();
        Room.AddServer(slow);
        var limiter = Server.Services.GetRequiredService<OriginConcurrencyLimiter>();

        var flood = Enumerable.Range(0, Limit + 3)
            .Select(i => SendAsync(client, Remote, "flood" + i, Room.Message("@mallory:slow.test", "flood " + i).Json))
            .ToList();
        var bound = TimeSpan.FromSeconds(30);
        while (flood.Count(t => t.IsCompleted) < 3)
        {
            await Task.WhenAny(flood.Where(t => !t.IsCompleted)).WaitAsync(bound);
        }

        foreach (var refused in flood.Where(t => t.IsCompleted).Select(t => t.Result))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("2", refused.Headers.GetValues("Retry-After").Single());
            var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("M_LIMIT_EXCEEDED", body.GetProperty("errcode").GetString());
            Assert.Equal(2000, body.GetProperty("retry_after_ms").GetInt64());
        }

        Assert.Equal(Limit, limiter.InProgress("remote.test"));
        var other = await SendAsync(client, Remotes[1], "calm", null).WaitAsync(bound);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(client, Remote, "one-more", null).WaitAsync(bound)).StatusCode);

        slowKeys.SetResult();
        foreach (var admitted in flood.Where(t => !t.IsCompleted))
        {
            Assert.Equal(HttpStatusCode.OK, (await admitted.WaitAsync(bound)).StatusCode);
        }

        // A slot is released just after its answer is written, so the client can read the answer first.
        Assert.True(SpinWait.SpinUntil(() => limiter.InProgress("remote.test") == 0, bound));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, Remote, "after", null).WaitAsync(bound)).StatusCode);
        await QueueDrainedAsync();
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, FakeHomeserver origin, string txnId, JsonElement? pdu)
    {
        var pdus = pdu is { } json ? new JsonArray(JsonNode.Parse(json.GetRawText())) : [];
        var body = new JsonObject { ["origin"] = origin.ServerName, ["pdus"] = pdus };
        return origin.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/" + txnId, body.ToJsonString());
    }
}
