using System.Net;
using System.Text.Json;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Errors;

public class MatrixErrorMiddlewareTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Theory]
    [InlineData("/_matrix/federation/v1/unknown")]
    [InlineData("/not/matrix")]
    public async Task Unknown_paths_answer_404_with_a_matrix_error_body(string path)
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("M_UNRECOGNIZED", body.RootElement.GetProperty("errcode").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("error").GetString()));
    }
}
