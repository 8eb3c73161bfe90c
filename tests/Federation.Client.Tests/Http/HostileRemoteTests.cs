using System.Text;
using Federation.Testing.Homeservers;
using Microsoft.AspNetCore.Http;

namespace Federation.Client.Tests.Http;

/// <summary>
/// Remote servers that work against the client: trickling, endless, lying about their size, redirecting, nesting.
/// Each request ends with a bounded failure value, and a well-behaved server asked afterwards by the same client is
/// answered normally.
/// </summary>
public sealed class HostileRemoteTests : IAsyncLifetime
{
    private const string ChunkedHead = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

    // A safety net in real time: a client that does not bound the request fails the test instead of hanging it.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // The hostile remote's own pace, in real time: a byte at a time, slowly, but never past a read timeout.
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    private FakeHomeserver _good = null!;

    public async Task InitializeAsync()
    {
        _good = await FakeHomeserver.StartAsync("good.test");
        _good.Handle("GET", "/_matrix/federation/v1/version", new { server = new { name = "good" } });
    }

    public async Task DisposeAsync() => await _good.DisposeAsync();

    [Fact]
    public async Task A_status_line_sent_a_byte_at_a_time_is_cut_off_at_the_attempt_timeout()
    {
        await using var remote = HostileHttpServer.Start(async (stream, began, token) =>
        {
            await HostileHttpServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\n", token);
            began();
            while (true)
            {
                await HostileHttpServer.WriteAsync(stream, "X", token);
                await Task.Delay(Pace, TimeProvider.System, token);
            }
        });
        using var harness = Harness(remote, ("FederationClient:AttemptTimeout", "00:00:10"));

        var request = harness.Client.GetAsync("slow.test", "/_matrix/federation/v1/version", CancellationToken.None);
        await remote.Started.WaitAsync(Bound);
        harness.Time.Advance(TimeSpan.FromSeconds(11));
        using var response = await request.WaitAsync(Bound);

        Assert.Equal(0, response.StatusCode);
        Assert.Contains("timed out", response.Failure, StringComparison.Ordinal);
        await AssertWellBehavedServerAnswersAsync(harness);
    }

    [Fact]
    public async Task Headers_and_a_body_trickled_within_every_read_timeout_are_cut_off_when_the_attempt_time_is_spent()
    {
        var headersSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var remote = HostileHttpServer.Start(async (stream, began, token) =>
        {
            await HostileHttpServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\n", token);
            began();
            await go.Task.WaitAsync(token);
            await HostileHttpServer.WriteAsync(stream, ChunkedHead["HTTP/1.1 200 OK\r\n".Length..] + "1\r\n[\r\n", token);
            headersSent.TrySetResult();
            while (true)
            {
                await Task.Delay(Pace, TimeProvider.System, token);
                await HostileHttpServer.WriteAsync(stream, "1\r\n \r\n", token);
            }
        });
        using var harness = Harness(remote, ("FederationClient:AttemptTimeout", "00:00:30"));

        var request = harness.Client.GetAsync("slow.test", "/_matrix/federation/v1/version", CancellationToken.None);
        // 20 of the attempt's 30 seconds go by before the headers end; the body may not have another 30.
        await remote.Started.WaitAsync(Bound);
        harness.Time.Advance(TimeSpan.FromSeconds(20));
        go.SetResult();
        await headersSent.Task.WaitAsync(Bound);
        harness.Time.Advance(TimeSpan.FromSeconds(11));
        using var response = await request.WaitAsync(Bound);

        Assert.Equal(0, response.StatusCode);
        Assert.Contains("timed out", response.Failure, StringComparison.Ordinal);
        await AssertWellBehavedServerAnswersAsync(harness);
    }

    [Fact]
    public async Task An_endless_chunked_body_is_cut_off_at_the_size_limit_and_its_connection_closed()
    {
        var chunk = Encoding.ASCII.GetBytes("10000\r\n" + new string(' ', 0x10000) + "\r\n");
        await using var remote = StartEndless(ChunkedHead + "1\r\n[\r\n", chunk);

        // Read up to the limit, then the connection is dropped: what was sent beyond is what the socket buffers held.
        await AssertCutOffAtTheSizeLimitAsync(remote, minimumBytesWritten: 1_048_576);
    }

    [Theory]
    [InlineData(1_073_741_824L)]
    [InlineData(4_611_686_018_427_387_904L)]
    public async Task A_content_length_beyond_the_limit_is_refused_before_the_body_is_read(long contentLength)
    {
        await using var remote = StartEndless(
            $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n",
            new byte[0x10000]);

        await AssertCutOffAtTheSizeLimitAsync(remote, minimumBytesWritten: 0);
    }

    [Fact]
    public async Task A_body_that_ends_before_its_content_length_is_a_failure_not_a_hang()
    {
        await using var remote = HostileHttpServer.Start(async (stream, began, token) =>
        {
            await HostileHttpServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":", token);
            began();
        });
        using var harness = Harness(remote);

        using var response = await harness.Client.GetAsync("slow.test", "/_matrix/federation/v1/version", CancellationToken.None).WaitAsync(Bound);

        Assert.False(response.IsSuccess);
        Assert.Equal(0, response.StatusCode);
        await AssertWellBehavedServerAnswersAsync(harness);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{good}/_matrix/federation/v1/version")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("/_matrix/federation/v1/version")]
    public async Task A_redirect_is_answered_as_an_error_and_never_followed(string location)
    {
        // Synapse's federation client does not follow redirects either: the request is signed for one destination.
        await using var remote = await FakeHomeserver.StartAsync("redirecting.test");
        var target = location.Replace("{good}", _good.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        remote.Handle("GET", "/_matrix/federation/v1/version", _ => Task.FromResult(Results.Redirect(target)));
        var settings = ClientHarness.Destinations(("redirecting.test", remote.BaseAddress), ("good.test", _good.BaseAddress));
        using var harness = new ClientHarness(settings);

        using var response = await harness.Client.GetAsync("redirecting.test", "/_matrix/federation/v1/version", CancellationToken.None);

        Assert.False(response.IsSuccess);
        Assert.Equal(302, response.StatusCode);
        Assert.Single(remote.Requests);
        Assert.Empty(_good.Requests);
        await AssertWellBehavedServerAnswersAsync(harness);
    }

    [Theory]
    [InlineData(100_000, false)]
    [InlineData(10_000, true)]
    [InlineData(65, true)]
    public async Task Json_nested_beyond_the_depth_limit_is_no_body_not_an_exception(int depth, bool closed)
    {
        await using var remote = await FakeHomeserver.StartAsync("nesting.test");
        var json = new string('[', depth) + (closed ? new string(']', depth) : "");
        remote.Handle("GET", "/_matrix/federation/v1/version", _ => Task.FromResult(Results.Text(json, "application/json")));
        var settings = ClientHarness.Destinations(("nesting.test", remote.BaseAddress), ("good.test", _good.BaseAddress));
        using var harness = new ClientHarness(settings);

        using var response = await harness.Client.GetAsync("nesting.test", "/_matrix/federation/v1/version", CancellationToken.None);

        Assert.False(response.IsSuccess);
        Assert.Equal(200, response.StatusCode);
        Assert.Contains("without a JSON body", response.Failure, StringComparison.Ordinal);
        await AssertWellBehavedServerAnswersAsync(harness);
    }

    private static HostileHttpServer StartEndless(string head, byte[] repeated) =>
        HostileHttpServer.Start(async (stream, began, token) =>
        {
            await HostileHttpServer.WriteAsync(stream, head, token);
            began();
            while (true)
            {
                await stream.WriteAsync(repeated, token);
            }
        });

    private async Task AssertCutOffAtTheSizeLimitAsync(HostileHttpServer remote, long minimumBytesWritten)
    {
        using var harness = Harness(remote, ("FederationClient:MaxResponseBytes", "1048576"));

        using var response = await harness.Client.GetAsync("slow.test", "/_matrix/federation/v1/version", CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(0, response.StatusCode);
        Assert.Contains("larger than 1048576 bytes", response.Failure, StringComparison.Ordinal);
        await remote.ClientHungUp.WaitAsync(Bound);
        Assert.InRange(remote.BytesWritten, minimumBytesWritten, 64L * 1024 * 1024);
        await AssertWellBehavedServerAnswersAsync(harness);
    }

    private ClientHarness Harness(HostileHttpServer remote, params (string Key, string Value)[] overrides)
    {
        var settings = ClientHarness.Destinations(("slow.test", remote.BaseAddress), ("good.test", _good.BaseAddress));
        settings["FederationClient:MaxRetries"] = "0";
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return new ClientHarness(settings);
    }

    private static async Task AssertWellBehavedServerAnswersAsync(ClientHarness harness)
    {
        using var response = await harness.Client.GetAsync("good.test", "/_matrix/federation/v1/version", CancellationToken.None).WaitAsync(Bound);
        Assert.True(response.IsSuccess, response.Failure);
    }
}
