using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Federation.Api.Keys;
using Federation.Protocol.Authentication;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Federation.Testing.Homeservers;

/// <summary>
/// A remote homeserver played by a test: a real HTTP server on a loopback port with its own signing key. It publishes
/// its key at <c>/_matrix/key/v2/server</c> (or whatever <see cref="KeyResponse"/> says, to lie), answers any other
/// request through handlers the test maps, records every request it receives, and sends signed requests of its own.
/// </summary>
public sealed class FakeHomeserver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task<IResult>>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly HttpClient _http = new();

    private FakeHomeserver(string serverName, SigningKey key, WebApplication app)
    {
        ServerName = serverName;
        SigningKey = key;
        Identity = new ServerIdentity(serverName, key);
        _app = app;
        KeyResponse = () => ServerKeyResponse.Build(Identity, LoopbackApp.KeysValidUntil);
    }

    public string ServerName { get; }

    public SigningKey SigningKey { get; }

    public ServerIdentity Identity { get; }

    /// <summary>The loopback URL the server listens on.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The key response served; replace it to publish other (or forged) keys.</summary>
    public Func<byte[]> KeyResponse { get; set; }

    /// <summary>Every request received, in arrival order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>Starts a server named <paramref name="serverName"/> with a fresh key on a free loopback port.</summary>
    public static async Task<FakeHomeserver> StartAsync(string serverName, SigningKey? key = null)
    {
        var app = LoopbackApp.Create();
        var server = new FakeHomeserver(serverName, key ?? SigningKey.Generate("fake"), app);
        app.Run(server.HandleAsync);
        server.BaseAddress = await LoopbackApp.StartAsync(app).ConfigureAwait(false);
        return server;
    }

    /// <summary>Answers <paramref name="method"/> requests to <paramref name="path"/> (without query) with <paramref name="handler"/>.</summary>
    public void Handle(string method, string path, Func<HttpContext, Task<IResult>> handler) => _handlers[method + " " + path] = handler;

    /// <summary>The handler mapped for <paramref name="method"/> requests to <paramref name="path"/>, for a test to wrap or restore.</summary>
    public Func<HttpContext, Task<IResult>> HandlerFor(string method, string path) => _handlers[method + " " + path];

    /// <summary>Answers with a fixed JSON body.</summary>
    public void Handle(string method, string path, object body, int statusCode = 200) =>
        Handle(method, path, _ => Task.FromResult(Results.Json(body, statusCode: statusCode)));

    /// <summary>
    /// Sends a request signed by this server to <paramref name="target"/> (named <paramref name="destination"/>),
    /// the way a real homeserver would.
    /// </summary>
    public Task<HttpResponseMessage> SendSignedAsync(
        Uri target, string destination, HttpMethod method, string pathAndQuery, string? jsonBody = null, SigningKey? signWith = null) =>
        SendSignedAsync(_http, target, destination, method, pathAndQuery, jsonBody, signWith);

    /// <summary>As the other overload, through <paramref name="client"/> (for example an in-process test server's client).</summary>
    public async Task<HttpResponseMessage> SendSignedAsync(
        HttpClient client, Uri target, string destination, HttpMethod method, string pathAndQuery, string? jsonBody = null, SigningKey? signWith = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(method);
        using var body = jsonBody is null ? null : JsonDocument.Parse(jsonBody);
        var authorization = RequestSigning.Sign(method.Method, pathAndQuery, ServerName, destination, body?.RootElement, signWith ?? SigningKey);
        using var request = new HttpRequestMessage(method, new Uri(target, pathAndQuery));
        request.Headers.TryAddWithoutValidation("Authorization", authorization.ToHeaderValue());
        if (body is not null)
        {
            request.Content = new ByteArrayContent(CanonicalJson.Encode(body.RootElement));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return await client.SendAsync(request).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path + request.QueryString, request.Headers.Authorization.ToString()));
        if (request.Path.StartsWithSegments("/_matrix/key/v2/server") && HttpMethods.IsGet(request.Method))
        {
            await Results.Bytes(KeyResponse(), "application/json").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (_handlers.TryGetValue(request.Method + " " + request.Path, out var handler))
        {
            await (await handler(context).ConfigureAwait(false)).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await Results.Json(new { errcode = "M_UNRECOGNIZED", error = "Not handled by this fake server" }, statusCode: 404)
            .ExecuteAsync(context).ConfigureAwait(false);
    }
}
