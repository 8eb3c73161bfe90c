using Federation.Api.Keys;
using Federation.Protocol.Keys;
using Federation.Testing.Homeservers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Federation.Local.Tests;

/// <summary>
/// A remote server on a loopback port that publishes its key and answers every other request with <see cref="Handler"/>
/// (whatever the path, so that paths naming ids the test cannot know in advance are answered too). Requests are not
/// checked for signatures.
/// </summary>
public sealed class LoopbackRemote : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private LoopbackRemote(ServerIdentity identity, WebApplication app)
    {
        Identity = identity;
        _app = app;
    }

    public ServerIdentity Identity { get; }

    public string ServerName => Identity.ServerName;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Answers any request but the key request; 404 by default.</summary>
    public Func<HttpContext, Task<IResult>> Handler { get; set; } = _ => Task.FromResult(Results.Json(new { errcode = "M_UNRECOGNIZED" }, statusCode: 404));

    /// <summary>How many requests other than key requests arrived.</summary>
    public int Requests => _requests;

    /// <summary>Starts on <paramref name="port"/>, by default a free one.</summary>
    public static async Task<LoopbackRemote> StartAsync(string serverName, int port = 0)
    {
        var identity = new ServerIdentity(serverName, SigningKey.Generate("lr"));
        var app = LoopbackApp.Create(port);
        var remote = new LoopbackRemote(identity, app);
        app.Run(remote.HandleAsync);
        remote.BaseAddress = await LoopbackApp.StartAsync(app);
        return remote;
    }

    /// <summary>The harness setting that sends federation requests for this server to its loopback port.</summary>
    public KeyValuePair<string, string?> Destination() => new($"FederationClient:Destinations:{ServerName}", BaseAddress.ToString());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/_matrix/key/v2/server"))
        {
            await Results.Bytes(ServerKeyResponse.Build(Identity, LoopbackApp.KeysValidUntil), "application/json")
                .ExecuteAsync(context);
            return;
        }

        Interlocked.Increment(ref _requests);
        await (await Handler(context)).ExecuteAsync(context);
    }
}
