using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Federation.Client.Tests.Http;

/// <summary>
/// A remote that speaks HTTP/1.1 by hand on a loopback socket, so that a test controls every byte and its timing:
/// status lines sent a byte at a time, bodies that never end, lengths that lie. It reads each request's head and
/// then plays <see cref="Behaviour"/> on the connection until that returns, the client hangs up, or it is disposed.
/// </summary>
internal sealed class HostileHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _hungUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytesWritten;
    private int _connections;

    private HostileHttpServer(Func<Stream, Action, CancellationToken, Task> behaviour)
    {
        Behaviour = behaviour;
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>
    /// What the server does on each connection once the request head is read: it writes to the stream, calls the
    /// given action once its hostile part has begun (so a test knows the client is waiting on it), and returns or
    /// throws when done.
    /// </summary>
    public Func<Stream, Action, CancellationToken, Task> Behaviour { get; }

    public Uri BaseAddress { get; }

    /// <summary>Completes when the behaviour of the first connection has begun its hostile part.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when a write fails because the client closed its end.</summary>
    public Task ClientHungUp => _hungUp.Task;

    /// <summary>Bytes written to all connections.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Connections accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static HostileHttpServer Start(Func<Stream, Action, CancellationToken, Task> behaviour) => new(behaviour);

    /// <summary>Writes ASCII text.</summary>
    public static Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stopping.Token);
                Interlocked.Increment(ref _connections);
                connections.Add(ServeAsync(socket));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(Socket socket)
    {
        await using var stream = new CountingStream(new NetworkStream(socket, ownsSocket: true), this);
        try
        {
            await ReadHeadAsync(stream, _stopping.Token);
            await Behaviour(stream, () => _started.TrySetResult(), _stopping.Token);
        }
        catch (IOException)
        {
            _hungUp.TrySetResult();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        // The client's requests in these tests are GETs: the head, up to its empty line, is the whole request.
        const uint EndOfHead = 0x0D0A0D0A;
        var one = new byte[1];
        for (uint lastFour = 0; lastFour != EndOfHead; lastFour = (lastFour << 8) | one[0])
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("The client closed the connection before sending a request.");
            }
        }
    }

    private sealed class CountingStream(Stream inner, HostileHttpServer owner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            await inner.FlushAsync(cancellationToken);
            Interlocked.Add(ref owner._bytesWritten, buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
