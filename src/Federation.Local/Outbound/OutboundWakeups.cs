using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Federation.Local.Outbound;

/// <summary>
/// Tells the sender that a destination has new work, and lets callers wait until an event has left the queue. Kept
/// apart from the queue and the sender so neither needs the other.
/// </summary>
public sealed class OutboundWakeups
{
    private readonly Channel<string> _destinations = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(string Destination, string EventId), TaskCompletionSource> _waiters = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TimeSpan>> _backOffWaiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _serverUpWatchers = new(StringComparer.Ordinal);

    /// <summary>Destinations with new rows, in the order they got them (repeats are normal).</summary>
    public ChannelReader<string> Destinations => _destinations.Reader;

    public void Wake(string destination) => _destinations.Writer.TryWrite(destination);

    /// <summary>A task completed by <see cref="Delivered"/> for the event; register before checking the queue.</summary>
    public Task Waiter(string destination, string eventId) =>
        _waiters.GetOrAdd((destination, eventId), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// Completes when the destination's sender next starts waiting after a failure, with the wait; the wait's timer
    /// exists by then, so a test's fake clock can move past it.
    /// </summary>
    public Task<TimeSpan> NextBackOff(string destination) =>
        _backOffWaiters.GetOrAdd(destination, _ => new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void BackingOff(string destination, TimeSpan delay)
    {
        if (_backOffWaiters.TryRemove(destination, out var waiter))
        {
            waiter.TrySetResult(delay);
        }
    }

    /// <summary>
    /// A task completed by the next <see cref="ServerUp"/> for <paramref name="server"/>: the destination's sender
    /// watches it while backing off, so the wait ends as soon as the server is heard from.
    /// </summary>
    public Task WatchServerUp(string server) =>
        _serverUpWatchers.GetOrAdd(server, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// <paramref name="server"/> has just made an authenticated request to us, so it is up: a sender backing off from
    /// it tries again now instead of at the end of its wait (as Synapse does when a server it backs off from reaches
    /// it). A server that keeps failing our sends still waits out the next, doubled back-off, unless it calls again.
    /// </summary>
    public void ServerUp(string server)
    {
        if (_serverUpWatchers.TryRemove(server, out var watcher))
        {
            watcher.TrySetResult();
        }
    }

    public void Delivered(string destination, IEnumerable<string> eventIds)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        foreach (var eventId in eventIds)
        {
            if (_waiters.TryRemove((destination, eventId), out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
