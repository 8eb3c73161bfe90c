using System.Net;
using System.Text;
using System.Text.Json;
using Federation.Protocol.Crypto;
using Federation.Protocol.Json;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Keys;

public class KeyQueryEndpointsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Query_for_our_own_name_returns_our_signed_keys()
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();

        using var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/_matrix/key/v2/query/test.example", UriKind.Relative)));

        var keys = Assert.Single(body.RootElement.GetProperty("server_keys").EnumerateArray());
        Assert.Equal("test.example", keys.GetProperty("server_name").GetString());
        Assert.True(VerifiesWithOwnKey(keys, "test.example"));
    }

    [Fact]
    public async Task Query_for_a_remote_returns_its_response_signed_by_it_and_countersigned_by_us()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        using var server = new FederationServerFactory(database);
        server.Settings["FederationClient:Destinations:remote.test"] = remote.BaseAddress.ToString();
        using var client = server.CreateClient();

        using var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/_matrix/key/v2/query/remote.test", UriKind.Relative)));

        var keys = Assert.Single(body.RootElement.GetProperty("server_keys").EnumerateArray());
        Assert.True(JsonSigning.Verify(keys, "remote.test", remote.SigningKey.KeyId, remote.SigningKey.PublicKey));
        var ours = await OurKey(client);
        Assert.True(JsonSigning.Verify(keys, "test.example", ours.KeyId, ours.PublicKey));
    }

    [Fact]
    public async Task A_post_query_answers_for_the_servers_it_can_and_omits_unreachable_ones()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        using var server = new FederationServerFactory(database);
        server.Settings["FederationClient:Destinations:remote.test"] = remote.BaseAddress.ToString();
        server.Settings["FederationClient:Destinations:gone.test"] = "http://127.0.0.1:1/";
        server.Settings["FederationClient:MaxRetries"] = "0";
        using var client = server.CreateClient();

        var response = await client.PostAsync(
            new Uri("/_matrix/key/v2/query", UriKind.Relative),
            new StringContent("{\"server_keys\":{\"remote.test\":{},\"gone.test\":{\"ed25519:x\":{\"minimum_valid_until_ts\":1}}}}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var names = body.RootElement.GetProperty("server_keys").EnumerateArray().Select(k => k.GetProperty("server_name").GetString());
        Assert.Equal(["remote.test"], names);
    }

    [Fact]
    public async Task The_last_verified_response_is_still_served_when_the_origin_goes_away()
    {
        var remote = await FakeHomeserver.StartAsync("remote.test");
        using var server = new FederationServerFactory(database);
        server.Settings["FederationClient:Destinations:remote.test"] = remote.BaseAddress.ToString();
        server.Settings["FederationClient:MaxRetries"] = "0";
        using var client = server.CreateClient();
        await client.GetStringAsync(new Uri("/_matrix/key/v2/query/remote.test", UriKind.Relative));
        await remote.DisposeAsync();

        var later = server.Time.GetUtcNow().AddDays(30).ToUnixTimeMilliseconds();
        using var body = JsonDocument.Parse(await client.GetStringAsync(
            new Uri($"/_matrix/key/v2/query/remote.test?minimum_valid_until_ts={later}", UriKind.Relative)));

        Assert.Single(body.RootElement.GetProperty("server_keys").EnumerateArray());
    }

    [Theory]
    [InlineData("not json", "M_NOT_JSON")]
    [InlineData("{\"server_keys\":[]}", "M_BAD_JSON")]
    [InlineData("{\"server_keys\":{\"a\":5}}", "M_BAD_JSON")]
    public async Task A_malformed_post_query_is_400(string requestBody, string errorCode)
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();

        var response = await client.PostAsync(new Uri("/_matrix/key/v2/query", UriKind.Relative), new StringContent(requestBody));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(errorCode, body.RootElement.GetProperty("errcode").GetString());
    }

    private static bool VerifiesWithOwnKey(JsonElement keys, string server)
    {
        var key = keys.GetProperty("verify_keys").EnumerateObject().Single();
        return JsonSigning.Verify(keys, server, key.Name, UnpaddedBase64.Decode(key.Value.GetProperty("key").GetString()!));
    }

    private static async Task<(string KeyId, byte[] PublicKey)> OurKey(HttpClient client)
    {
        using var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/_matrix/key/v2/server", UriKind.Relative)));
        var key = body.RootElement.GetProperty("verify_keys").EnumerateObject().Single();
        return (key.Name, UnpaddedBase64.Decode(key.Value.GetProperty("key").GetString()!));
    }
}
