using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Authentication;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Federation.Conformance.Remotes;

/// <summary>
/// One remote homeserver the runner plays: a real HTTP server on a loopback port with its own Ed25519 key, published
/// at <c>/_matrix/key/v2/server</c>. Everything else it receives is recorded and answered by <see cref="Responder"/>,
/// which each scenario sets. It also sends X-Matrix signed requests to the target, correctly or, on purpose, not.
/// </summary>
public sealed class FakeRemote : IAsyncDisposable
{
    private static readonly DateTimeOffset KeysValidUntil = DateTimeOffset.FromUnixTimeMilliseconds(4_102_444_800_000);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private FakeRemote(string serverName, int port, WebApplication app)
    {
        ServerName = serverName;
        Identity = new ServerIdentity(serverName, SigningKey.Generate("conf"));
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _app = app;
    }

    public string ServerName { get; }

    public ServerIdentity Identity { get; }

    /// <summary>Where the remote listens; the target must map <see cref="ServerName"/> to it.</summary>
    public Uri BaseAddress { get; private set; }

    /// <summary>What the key endpoint publishes.</summary>
    public PublishedKeys Keys { get; set; } = PublishedKeys.Valid;

    /// <summary>Answers every request except the key endpoint; the default answers 404 M_UNRECOGNIZED.</summary>
    public Func<HttpContext, JsonNode?, Task<IResult>> Responder { get; set; } = DefaultResponder;

    /// <summary>Every request received (key fetches included), in arrival order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>Starts a remote named <paramref name="serverName"/> on <paramref name="port"/> (0: any free port).</summary>
    public static async Task<FakeRemote> StartAsync(string serverName, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var remote = new FakeRemote(serverName, port, app);
        app.Run(remote.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        remote.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return remote;
    }

    /// <summary>Forgets the recorded requests and the scenario's responder, before the next scenario.</summary>
    public void Reset()
    {
        _requests.Clear();
        Responder = DefaultResponder;
        Keys = PublishedKeys.Valid;
    }

    /// <summary>Sends a request to the target named <paramref name="destination"/>, authenticated as <paramref name="auth"/> says.</summary>
    public async Task<HttpResponseMessage> SendAsync(
        Uri target, string destination, HttpMethod method, string pathAndQuery, JsonNode? body, RequestAuth auth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(method);
        using var request = new HttpRequestMessage(method, new Uri(target, pathAndQuery));
        // Sign the request target exactly as it goes on the wire.
        var uri = request.RequestUri!.PathAndQuery;
        using var content = body is null ? null : JsonDocument.Parse(body.ToJsonString());
        var header = auth switch
        {
            RequestAuth.None => null,
            RequestAuth.Malformed => "X-Matrix origin=\"" + ServerName + "\",,key=",
            RequestAuth.UnknownKey => Header(method, uri, destination, content, SigningKey.Generate("never_published")),
            RequestAuth.BadSignature => Header(method, uri, destination, content, OtherKeyUnderOurId()),
            RequestAuth.WrongDestination => Header(method, uri, "elsewhere.invalid", content, Identity.SigningKey),
            RequestAuth.WrongUri => Header(method, uri + (uri.Contains('?', StringComparison.Ordinal) ? "&x=1" : "?x=1"), destination, content, Identity.SigningKey),
            _ => Header(method, uri, destination, content, Identity.SigningKey),
        };
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", header);
        }

        if (content is not null)
        {
            request.Content = new ByteArrayContent(CanonicalJson.Encode(content.RootElement));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private string Header(HttpMethod method, string uri, string destination, JsonDocument? content, SigningKey key) =>
        RequestSigning.Sign(method.Method, uri, ServerName, destination, content?.RootElement, key).ToHeaderValue();

    // Same key id as the published key, different key material: the signature cannot verify.
    private SigningKey OtherKeyUnderOurId() => SigningKey.Generate(Identity.SigningKey.Version);

    private static Task<IResult> DefaultResponder(HttpContext context, JsonNode? body) =>
        Task.FromResult(Results.Json(new { errcode = "M_UNRECOGNIZED", error = "Not served by this remote" }, statusCode: 404));

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        JsonNode? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            try
            {
                body = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                body = JsonValue.Create(text);
            }
        }

        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", body));
        if (request.Path.StartsWithSegments("/_matrix/key/v2/server") && HttpMethods.IsGet(request.Method))
        {
            await KeyResult().ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var result = await Responder(context, body).ConfigureAwait(false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private IResult KeyResult()
    {
        var key = Identity.SigningKey;
        var response = new JsonObject
        {
            ["server_name"] = Keys == PublishedKeys.OtherServerName ? "impostor.invalid" : ServerName,
            ["valid_until_ts"] = KeysValidUntil.ToUnixTimeMilliseconds(),
            ["verify_keys"] = new JsonObject { [key.KeyId] = new JsonObject { ["key"] = key.PublicKeyBase64 } },
            ["old_verify_keys"] = new JsonObject(),
        };
        switch (Keys)
        {
            case PublishedKeys.Missing:
                return Results.Json(new { errcode = "M_NOT_FOUND", error = "No keys here" }, statusCode: 404);
            case PublishedKeys.BadSelfSignature:
                JsonSigning.Sign(response, ServerName, OtherKeyUnderOurId());
                break;
            default:
                JsonSigning.Sign(response, ServerName, key);
                break;
        }

        return Results.Bytes(CanonicalJson.Encode(JsonSigning.ToElement(response)), "application/json");
    }
}
