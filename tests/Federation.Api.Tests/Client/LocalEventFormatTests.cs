using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Client;

/// <summary>What a client sends is held to the PDU format of the room version, and transaction ids are per room.</summary>
public sealed class LocalEventFormatTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private readonly FederationServerFactory _server = Configured(new FederationServerFactory(database, "format.test").OverLoopback());

    public void Dispose() => _server.Dispose();

    private static FederationServerFactory Configured(FederationServerFactory server)
    {
        ClientSession.Configure(server);
        return server;
    }

    private static string Send(string roomId, string txnId) =>
        $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{txnId}";

    [Fact]
    public async Task A_float_in_message_content_of_a_v10_room_is_400_M_BAD_JSON_not_500()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "fmt-float");
        var roomId = await alice.CreateRoomAsync(new { room_version = "10" });

        using var content = new StringContent("""{"msgtype": "m.text", "body": "pi", "pi": 3.14}""", Encoding.UTF8, "application/json");
        var response = await alice.Http.PutAsync(Send(roomId, "float1"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("M_BAD_JSON", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errcode"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_message_over_65536_bytes_is_413_M_TOO_LARGE()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "fmt-large");
        var roomId = await alice.CreateRoomAsync(new { });

        var response = await alice.Http.PutAsJsonAsync(Send(roomId, "large1"), new { msgtype = "m.text", body = new string('x', 70_000) });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("M_TOO_LARGE", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errcode"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_txn_id_in_two_rooms_sends_two_events_and_a_retry_in_one_gets_its_first()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "fmt-txn");
        var first = await alice.CreateRoomAsync(new { });
        var second = await alice.CreateRoomAsync(new { });

        var inFirst = await alice.SendMessageAsync(first, "one", "shared-txn");
        var inSecond = await alice.SendMessageAsync(second, "two", "shared-txn");
        var retried = await alice.SendMessageAsync(first, "one", "shared-txn");

        Assert.NotEqual(inFirst, inSecond);
        Assert.Equal(inFirst, retried);
    }
}
