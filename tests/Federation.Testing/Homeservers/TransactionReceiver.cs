using System.Collections.Concurrent;
using System.Text.Json;
using Federation.Api.Keys;
using Federation.Protocol.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Federation.Testing.Homeservers;

/// <summary>
/// A remote server that only publishes its key and takes <c>PUT /_matrix/federation/v1/send/{txnId}</c> transactions
/// (any transaction id), recording each one and answering with the status <see cref="Status"/> picks for the attempt.
/// The signatures on the requests are not checked.
/// </summary>
public sealed class TransactionReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<JsonElement> _transactions = new();
    private int _attempts;

    private TransactionReceiver(ServerIdentity identity, WebApplication app)
    {
        Identity = identity;
        _app = app;
    }

    public ServerIdentity Identity { get; }

    public string ServerName => Identity.ServerName;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The status to answer attempt n (1-based) with; 200 by default.</summary>
    public Func<int, int> Status { get; set; } = _ => 200;

    /// <summary>The bodies of the transactions answered 200, in arrival order.</summary>
    public IReadOnlyCollection<JsonElement> Transactions => _transactions;

    /// <summary>How many send attempts arrived (answered 200 or not).</summary>
    public int Attempts => _attempts;

    public static async Task<TransactionReceiver> StartAsync(ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var app = LoopbackApp.Create();
        var receiver = new TransactionReceiver(identity, app);
        app.MapGet("/_matrix/key/v2/server", () =>
            Results.Bytes(ServerKeyResponse.Build(identity, LoopbackApp.KeysValidUntil), "application/json"));
        app.MapPut("/_matrix/federation/v1/send/{txnId}", (Delegate)receiver.ReceiveAsync);
        receiver.BaseAddress = await LoopbackApp.StartAsync(app).ConfigureAwait(false);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        var status = Status(Interlocked.Increment(ref _attempts));
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        if (status != StatusCodes.Status200OK)
        {
            return Results.Json(new { errcode = "M_UNKNOWN", error = "unavailable" }, statusCode: status);
        }

        _transactions.Enqueue(body.RootElement.Clone());
        return Results.Json(new { pdus = new { } });
    }
}
