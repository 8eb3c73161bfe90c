using Federation.Local.Joins;
using Federation.Protocol.Errors;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Http;

namespace Federation.Local.Tests.Joins;

/// <summary>Joining over federation when the servers asked answer badly: each failure moves on to the next server.</summary>
public sealed class RemoteJoinerTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_make_join_answer_that_is_a_json_array_moves_on_to_the_next_server()
    {
        await using var broken = await LoopbackRemote.StartAsync("array-resident.test");
        await using var refusing = await LoopbackRemote.StartAsync("refusing-resident.test");
        broken.Handler = _ => Task.FromResult(Results.Text("[]", "application/json"));
        refusing.Handler = _ => Task.FromResult(Results.Json(new { errcode = "M_FORBIDDEN", error = "not you" }, statusCode: 403));
        await using var harness = new LocalHarness(
            database.ConnectionString, "joiner-array.test", new Dictionary<string, string?>([broken.Destination(), refusing.Destination()]));

        var failure = await Assert.ThrowsAsync<MatrixException>(() => harness.Get<RemoteJoiner>().JoinAsync(
            harness.User("alice"), "!room:" + broken.ServerName, [broken.ServerName, refusing.ServerName], CancellationToken.None));

        Assert.Equal((ErrorCode.Forbidden, 403), (failure.ErrorCode, failure.StatusCode));
        Assert.Equal(1, broken.Requests);
        Assert.Equal(1, refusing.Requests);
    }
}
