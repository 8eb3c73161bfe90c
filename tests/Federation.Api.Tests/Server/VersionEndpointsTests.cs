using System.Net;
using System.Text.Json;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Server;

public class VersionEndpointsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Get_version_names_the_implementation_without_authentication()
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();

        var response = await client.GetAsync(new Uri("/_matrix/federation/v1/version", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Federation", body.RootElement.GetProperty("server").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("server").GetProperty("version").GetString()));
        Assert.True(body.RootElement.GetProperty("unstable_features").GetProperty("tk.nutra.msc4500.state_accumulator").GetBoolean());
    }

    [Fact]
    public void Missing_server_name_stops_the_start_naming_the_setting()
    {
        using var server = new FederationServerFactory(database, serverName: "");

        var error = Assert.ThrowsAny<Exception>(() => server.CreateClient());

        Assert.Contains("ServerName", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_http_on_a_public_address_stops_the_start_unless_allowed()
    {
        using var refused = new FederationServerFactory(database);
        refused.Settings["Kestrel:Endpoints:Public:Url"] = "http://0.0.0.0:8008";
        var error = Assert.ThrowsAny<Exception>(() => refused.CreateClient());
        Assert.Contains("Plain HTTP", error.ToString(), StringComparison.Ordinal);

        using var allowed = new FederationServerFactory(database);
        allowed.Settings["Kestrel:Endpoints:Public:Url"] = "http://0.0.0.0:8008";
        allowed.Settings["Server:AllowPlainHttp"] = "true";
        using var client = allowed.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/_matrix/federation/v1/version", UriKind.Relative))).StatusCode);
    }
}
