using System.Net;
using System.Text.Json;
using Federation.Protocol.Crypto;
using Federation.Protocol.Json;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Keys;

public class ServerKeyEndpointsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Get_server_keys_returns_keys_signed_by_the_key_it_publishes()
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();

        var response = await client.GetAsync(new Uri("/_matrix/key/v2/server", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = CanonicalJson.Parse(await response.Content.ReadAsByteArrayAsync(), strict: true);
        var keys = body.RootElement;
        Assert.Equal("test.example", keys.GetProperty("server_name").GetString());
        var verifyKey = Assert.Single(keys.GetProperty("verify_keys").EnumerateObject());
        Assert.StartsWith("ed25519:", verifyKey.Name, StringComparison.Ordinal);
        var publicKey = UnpaddedBase64.Decode(verifyKey.Value.GetProperty("key").GetString()!);
        Assert.True(JsonSigning.Verify(keys, "test.example", verifyKey.Name, publicKey));
        Assert.Equal(JsonValueKind.Object, keys.GetProperty("old_verify_keys").ValueKind);
    }

    [Fact]
    public async Task Get_server_keys_is_valid_for_the_configured_period_from_now()
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();
        server.Time.Advance(TimeSpan.FromHours(5));

        using var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/_matrix/key/v2/server", UriKind.Relative)));

        var expected = (server.Time.GetUtcNow() + TimeSpan.FromDays(1)).ToUnixTimeMilliseconds();
        Assert.Equal(expected, body.RootElement.GetProperty("valid_until_ts").GetInt64());
    }

    [Fact]
    public async Task Get_server_keys_with_a_key_id_answers_like_the_plain_form()
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();

        var plain = await client.GetStringAsync(new Uri("/_matrix/key/v2/server", UriKind.Relative));
        var withKeyId = await client.GetStringAsync(new Uri("/_matrix/key/v2/server/ed25519:whatever", UriKind.Relative));

        Assert.Equal(plain, withKeyId);
    }

    [Fact]
    public async Task The_signing_key_is_created_once_and_reused_after_a_restart()
    {
        string firstKey;
        var factoryDirectory = "";
        using (var server = new FederationServerFactory(database))
        {
            firstKey = await PublishedKey(server);
            factoryDirectory = server.DataDirectory;
            Assert.True(File.Exists(server.SigningKeyPath));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.SigningKeyPath));
            }

            using var again = new FederationServerFactory(database);
            File.Copy(server.SigningKeyPath, again.SigningKeyPath);
            Assert.Equal(firstKey, await PublishedKey(again));
        }

        Assert.False(Directory.Exists(factoryDirectory));
    }

    [Fact]
    public async Task A_malformed_signing_key_file_stops_the_start_naming_the_file()
    {
        using var server = new FederationServerFactory(database);
        await File.WriteAllTextAsync(server.SigningKeyPath, "ed25519 1 short");

        var error = Assert.ThrowsAny<Exception>(() => server.CreateClient());

        Assert.Contains(server.SigningKeyPath, error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> PublishedKey(FederationServerFactory server)
    {
        using var client = server.CreateClient();
        using var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("/_matrix/key/v2/server", UriKind.Relative)));
        return body.RootElement.GetProperty("verify_keys").EnumerateObject().Single().Value.GetProperty("key").GetString()!;
    }
}
