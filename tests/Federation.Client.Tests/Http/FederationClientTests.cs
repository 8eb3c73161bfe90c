using System.Net;
using System.Text.Json;
using Federation.Protocol.Authentication;
using Federation.Testing.Homeservers;
using Microsoft.AspNetCore.Http;

namespace Federation.Client.Tests.Http;

public class FederationClientTests
{
    [Fact]
    public async Task Requests_carry_an_x_matrix_signature_the_destination_can_verify()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        remote.Handle("PUT", "/_matrix/federation/v1/send/1", new { pdus = new { } });
        using var harness = new ClientHarness(ClientHarness.Destinations(("remote.test", remote.BaseAddress)));
        using var body = JsonDocument.Parse("{\"pdus\":[],\"edus\":[]}");

        using var response = await harness.Client.SendAsync(
            "remote.test", HttpMethod.Put, "/_matrix/federation/v1/send/1", body.RootElement, sign: true, CancellationToken.None);

        Assert.True(response.IsSuccess, response.Failure);
        var received = Assert.Single(remote.Requests);
        Assert.True(XMatrixAuthorization.TryParse(received.Authorization, out var authorization, out _));
        Assert.Equal("us.test", authorization.Origin);
        Assert.Equal("remote.test", authorization.Destination);
        Assert.True(RequestSigning.Verify(
            authorization, "PUT", "/_matrix/federation/v1/send/1", "remote.test", body.RootElement, harness.Identity.SigningKey.PublicKey));
    }

    [Fact]
    public async Task A_matrix_error_is_returned_as_a_value_with_its_errcode()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        remote.Handle("GET", "/_matrix/federation/v1/event/$x", new { errcode = "M_NOT_FOUND", error = "no such event" }, 404);
        using var harness = new ClientHarness(ClientHarness.Destinations(("remote.test", remote.BaseAddress)));

        using var response = await harness.Client.GetAsync("remote.test", "/_matrix/federation/v1/event/$x", CancellationToken.None);

        Assert.False(response.IsSuccess);
        Assert.Equal(404, response.StatusCode);
        Assert.Equal("M_NOT_FOUND", response.ErrorCode);
        Assert.Contains("no such event", response.Failure, StringComparison.Ordinal);
        Assert.Single(remote.Requests);
    }

    [Fact]
    public async Task An_unreachable_destination_is_reported_not_thrown()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var closedPort = new Uri($"http://127.0.0.1:{port}/");
        using var harness = new ClientHarness(ClientHarness.Destinations(("gone.test", closedPort)));

        using var response = await harness.Client.GetAsync("gone.test", "/_matrix/federation/v1/version", CancellationToken.None);

        Assert.Equal(0, response.StatusCode);
        Assert.Contains("could not be reached", response.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_larger_than_the_limit_is_cut_off()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        remote.Handle("GET", "/big", _ => Task.FromResult(Results.Text(new string('x', 200_000), "application/json")));
        var settings = ClientHarness.Destinations(("remote.test", remote.BaseAddress));
        settings["FederationClient:MaxResponseBytes"] = "65536";
        using var harness = new ClientHarness(settings);

        using var response = await harness.Client.GetAsync("remote.test", "/big", CancellationToken.None);

        Assert.False(response.IsSuccess);
        Assert.Contains("larger than 65536", response.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_then_the_destination_is_left_alone_until_its_back_off_ends()
    {
        await using var remote = await FakeHomeserver.StartAsync("flaky.test");
        var answer = HttpStatusCode.ServiceUnavailable;
        remote.Handle("GET", "/_matrix/federation/v1/version", _ => Task.FromResult(Results.Json(new { }, statusCode: (int)answer)));
        var settings = ClientHarness.Destinations(("flaky.test", remote.BaseAddress));
        settings["FederationClient:MaxRetries"] = "2";
        settings["FederationClient:BreakerMinimumThroughput"] = "3";
        settings["FederationClient:BreakDuration"] = "00:00:30";
        using var harness = new ClientHarness(settings);

        using (var first = await harness.Client.GetAsync("flaky.test", "/_matrix/federation/v1/version", CancellationToken.None))
        {
            Assert.Equal(503, first.StatusCode);
        }

        Assert.Equal(3, remote.Requests.Count);

        using (var during = await harness.Client.GetAsync("flaky.test", "/_matrix/federation/v1/version", CancellationToken.None))
        {
            Assert.Contains("back-off", during.Failure, StringComparison.Ordinal);
        }

        Assert.Equal(3, remote.Requests.Count);

        answer = HttpStatusCode.OK;
        harness.Time.Advance(TimeSpan.FromSeconds(31));
        using var after = await harness.Client.GetAsync("flaky.test", "/_matrix/federation/v1/version", CancellationToken.None);
        Assert.True(after.IsSuccess, after.Failure);
        Assert.Equal(4, remote.Requests.Count);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        remote.Handle("GET", "/_matrix/federation/v1/state_ids/!r", new { errcode = "M_FORBIDDEN", error = "no" }, 403);
        using var harness = new ClientHarness(ClientHarness.Destinations(("remote.test", remote.BaseAddress)));

        using var response = await harness.Client.GetAsync("remote.test", "/_matrix/federation/v1/state_ids/!r", CancellationToken.None);

        Assert.Equal(403, response.StatusCode);
        Assert.Single(remote.Requests);
    }
}
