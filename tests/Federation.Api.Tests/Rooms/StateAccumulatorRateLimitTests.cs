using System.Net;
using System.Text.Json;
using Federation.Testing.Events;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Rooms;

/// <summary>The state accumulator endpoint limits each requesting server to a burst, then a sustained rate.</summary>
public sealed class StateAccumulatorRateLimitTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database, "bisector.test", "other.test"), IClassFixture<PostgresDatabaseFixture>
{
    protected override Task ExtendRoomAsync(SignedRoomBuilder room)
    {
        room.Join("@carol:other.test");
        // A burst of 3 and one request per 1,000 s, so the test cannot refill a token however slowly it runs.
        Server.Settings["Resync:FingerprintRequestBurst"] = "3";
        Server.Settings["Resync:FingerprintRequestsPerSecond"] = "0.001";
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Past_the_burst_a_server_gets_limit_exceeded_with_retry_after_while_others_are_still_served()
    {
        var path = $"/_matrix/federation/unstable/tk.nutra.msc4500/state_accumulator/{Uri.EscapeDataString(Room.RoomId)}"
            + $"?event_id={Uri.EscapeDataString(Room.Events[^1].EventId)}";
        using var client = Server.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            var served = await Remotes[0].SendSignedAsync(client, client.BaseAddress!, "test.example", HttpMethod.Get, path, null);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        var limited = await Remotes[0].SendSignedAsync(client, client.BaseAddress!, "test.example", HttpMethod.Get, path, null);
        var other = await Remotes[1].SendSignedAsync(client, client.BaseAddress!, "test.example", HttpMethod.Get, path, null);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        using var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal("M_LIMIT_EXCEEDED", body.RootElement.GetProperty("errcode").GetString());
        Assert.InRange(body.RootElement.GetProperty("retry_after_ms").GetInt64(), 1, 1_000_000);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
