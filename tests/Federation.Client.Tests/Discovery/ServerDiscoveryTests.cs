using System.Net;
using Federation.Client.Discovery;
using Federation.Testing.Time;
using Microsoft.Extensions.Options;

namespace Federation.Client.Tests.Discovery;

public class ServerDiscoveryTests
{
    private sealed class WellKnownHandler(Func<Uri, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<Uri> Asked { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Asked.Add(request.RequestUri!);
            return Task.FromResult(respond(request.RequestUri!));
        }
    }

    private static (ServerDiscovery Discovery, WellKnownHandler Handler, FakeTimeProvider Time) Create(
        Func<Uri, HttpResponseMessage> respond, Dictionary<string, string>? destinations = null)
    {
        var handler = new WellKnownHandler(respond);
        var time = new FakeTimeProvider();
        var options = Options.Create(new FederationClientOptions { Destinations = destinations ?? new(StringComparer.Ordinal) });
        return (new ServerDiscovery(new HttpClient(handler), options, time), handler, time);
    }

    private static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body) };

    [Fact]
    public async Task A_fixed_destination_wins_over_discovery()
    {
        var (discovery, handler, _) = Create(_ => throw new InvalidOperationException(),
            new Dictionary<string, string>(StringComparer.Ordinal) { ["hs.test"] = "http://127.0.0.1:9000" });

        var resolved = await discovery.ResolveAsync("hs.test", CancellationToken.None);

        Assert.Equal(new Uri("http://127.0.0.1:9000/"), resolved.BaseAddress);
        Assert.Empty(handler.Asked);
    }

    [Theory]
    [InlineData("1.2.3.4", "https://1.2.3.4:8448/", "1.2.3.4")]
    [InlineData("1.2.3.4:1234", "https://1.2.3.4:1234/", "1.2.3.4:1234")]
    [InlineData("[::1]", "https://[::1]:8448/", "[::1]")]
    [InlineData("example.org:8888", "https://example.org:8888/", "example.org:8888")]
    public async Task Ip_literals_and_explicit_ports_are_used_as_given_without_well_known(string name, string address, string host)
    {
        var (discovery, handler, _) = Create(_ => throw new InvalidOperationException());

        var resolved = await discovery.ResolveAsync(name, CancellationToken.None);

        Assert.Equal(new Uri(address), resolved.BaseAddress);
        Assert.Equal(host, resolved.HostHeader);
        Assert.Empty(handler.Asked);
    }

    [Theory]
    [InlineData("{\"m.server\":\"delegated.example:443\"}", "https://delegated.example:443/", "delegated.example:443")]
    [InlineData("{\"m.server\":\"delegated.example\"}", "https://delegated.example:8448/", "delegated.example")]
    [InlineData("{\"m.server\":\"5.6.7.8\"}", "https://5.6.7.8:8448/", "5.6.7.8")]
    public async Task Well_known_delegation_is_followed(string wellKnown, string address, string host)
    {
        var (discovery, handler, _) = Create(_ => Json(wellKnown));

        var resolved = await discovery.ResolveAsync("example.org", CancellationToken.None);

        Assert.Equal(new Uri("https://example.org/.well-known/matrix/server"), Assert.Single(handler.Asked));
        Assert.Equal(new Uri(address), resolved.BaseAddress);
        Assert.Equal(host, resolved.HostHeader);
        Assert.Equal("example.org", resolved.ServerName);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "")]
    [InlineData(HttpStatusCode.OK, "not json")]
    [InlineData(HttpStatusCode.OK, "{\"m.server\":5}")]
    [InlineData(HttpStatusCode.OK, "{\"m.server\":\"bad name!\"}")]
    public async Task Without_a_usable_well_known_the_name_is_used_on_port_8448(HttpStatusCode status, string body)
    {
        var (discovery, _, _) = Create(_ => new HttpResponseMessage(status) { Content = new StringContent(body) });

        var resolved = await discovery.ResolveAsync("example.org", CancellationToken.None);

        Assert.Equal(new Uri("https://example.org:8448/"), resolved.BaseAddress);
        Assert.Equal("example.org", resolved.HostHeader);
    }

    [Fact]
    public async Task Well_known_answers_are_cached_until_they_expire()
    {
        var (discovery, handler, time) = Create(_ => Json("{\"m.server\":\"d.example:443\"}"));

        await discovery.ResolveAsync("example.org", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(23));
        await discovery.ResolveAsync("example.org", CancellationToken.None);
        Assert.Single(handler.Asked);

        time.Advance(TimeSpan.FromHours(2));
        await discovery.ResolveAsync("example.org", CancellationToken.None);
        Assert.Equal(2, handler.Asked.Count);
    }

    [Fact]
    public async Task An_oversized_well_known_is_ignored()
    {
        var huge = "{\"m.server\":\"d.example:443\",\"padding\":\"" + new string('x', 60_000) + "\"}";
        var (discovery, _, _) = Create(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge))) });

        var resolved = await discovery.ResolveAsync("example.org", CancellationToken.None);

        Assert.Equal(new Uri("https://example.org:8448/"), resolved.BaseAddress);
    }

    [Fact]
    public async Task An_invalid_server_name_is_refused()
    {
        var (discovery, _, _) = Create(_ => throw new InvalidOperationException());
        await Assert.ThrowsAsync<ArgumentException>(() => discovery.ResolveAsync("bad name", CancellationToken.None));
    }
}
