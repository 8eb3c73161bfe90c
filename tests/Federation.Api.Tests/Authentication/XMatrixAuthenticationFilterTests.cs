using System.Net;
using System.Text.Json;
using Federation.Api.Authentication;
using Federation.Client;
using Federation.Local.Outbound;
using Federation.Protocol.Keys;
using Federation.Testing.Homeservers;
using Federation.Testing.Time;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Federation.Api.Tests.Authentication;

/// <summary>
/// The filter in front of a probe endpoint on a real loopback server, with the origin a real fake homeserver whose
/// key is fetched over HTTP.
/// </summary>
public sealed class XMatrixAuthenticationFilterTests : IAsyncLifetime
{
    private const string Us = "us.test";
    private const string Probe = "/_matrix/federation/v1/probe";
    private WebApplication? _app;
    private FakeHomeserver? _remote;
    private Uri _address = new("http://127.0.0.1/");

    private FakeHomeserver Remote => _remote!;

    public async Task InitializeAsync()
    {
        _remote = await FakeHomeserver.StartAsync("remote.test");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration["FederationClient:Destinations:remote.test"] = _remote.BaseAddress.ToString();
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        builder.Services.AddSingleton(new ServerIdentity(Us, SigningKey.Generate("us")));
        builder.Services.AddFederationClient(builder.Configuration);
        builder.Services.AddSingleton<XMatrixAuthenticationFilter>();
        builder.Services.AddSingleton<OutboundWakeups>();
        _app = builder.Build();
        _app.UseMatrixErrors();
        _app.MapMethods(Probe, ["GET", "PUT"], (HttpContext context) =>
        {
            var request = FederationRequest.Of(context);
            return Results.Json(new { origin = request.Origin, body = request.Body?.RootElement.GetRawText() });
        }).AddEndpointFilter<XMatrixAuthenticationFilter>();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _address = new Uri(address + "/");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_remote is not null)
        {
            await _remote.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_correctly_signed_request_reaches_the_endpoint_with_its_origin_and_body()
    {
        var response = await Remote.SendSignedAsync(_address, Us, HttpMethod.Put, Probe + "?x=1", "{\"a\":[1,2]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("remote.test", body.RootElement.GetProperty("origin").GetString());
        Assert.Equal("{\"a\":[1,2]}", body.RootElement.GetProperty("body").GetString());
    }

    [Fact]
    public async Task A_correctly_signed_request_tells_the_outbound_sender_its_origin_is_up_and_a_forged_one_does_not()
    {
        var wakeups = _app!.Services.GetRequiredService<OutboundWakeups>();
        var up = wakeups.WatchServerUp("remote.test");

        await Remote.SendSignedAsync(_address, Us, HttpMethod.Get, Probe, signWith: SigningKey.Generate("fake"));
        Assert.False(up.IsCompleted);

        await Remote.SendSignedAsync(_address, Us, HttpMethod.Get, Probe);
        Assert.True(up.IsCompleted);
    }

    [Fact]
    public async Task A_request_without_authorization_is_401()
    {
        using var client = new HttpClient();
        var response = await client.GetAsync(new Uri(_address, Probe));
        await AssertError(response, HttpStatusCode.Unauthorized, "M_UNAUTHORIZED");
    }

    [Fact]
    public async Task A_malformed_header_is_400()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_address, Probe));
        request.Headers.TryAddWithoutValidation("Authorization", "X-Matrix origin=\"remote.test\"");
        await AssertError(await client.SendAsync(request), HttpStatusCode.BadRequest, "M_UNAUTHORIZED");
    }

    [Fact]
    public async Task A_request_for_another_destination_is_401()
    {
        var response = await Remote.SendSignedAsync(_address, "someone-else.test", HttpMethod.Get, Probe);
        await AssertError(response, HttpStatusCode.Unauthorized, "M_UNAUTHORIZED");
    }

    [Fact]
    public async Task A_signature_by_a_key_the_origin_does_not_publish_is_401()
    {
        var response = await Remote.SendSignedAsync(_address, Us, HttpMethod.Get, Probe, signWith: SigningKey.Generate("fake"));
        await AssertError(response, HttpStatusCode.Unauthorized, "M_UNAUTHORIZED");
    }

    [Fact]
    public async Task A_request_whose_uri_differs_from_what_was_signed_is_401()
    {
        using var client = new HttpClient();
        var authorization = Federation.Protocol.Authentication.RequestSigning.Sign("GET", Probe + "?a=1", "remote.test", Us, null, Remote.SigningKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_address, Probe + "?a=2"));
        request.Headers.TryAddWithoutValidation("Authorization", authorization.ToHeaderValue());
        await AssertError(await client.SendAsync(request), HttpStatusCode.Unauthorized, "M_UNAUTHORIZED");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_400_not_json()
    {
        using var client = new HttpClient();
        var authorization = Federation.Protocol.Authentication.RequestSigning.Sign("PUT", Probe, "remote.test", Us, null, Remote.SigningKey);
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_address, Probe)) { Content = new StringContent("not json") };
        request.Headers.TryAddWithoutValidation("Authorization", authorization.ToHeaderValue());
        await AssertError(await client.SendAsync(request), HttpStatusCode.BadRequest, "M_NOT_JSON");
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        Assert.Equal(status, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(errorCode, body.RootElement.GetProperty("errcode").GetString());
    }
}
