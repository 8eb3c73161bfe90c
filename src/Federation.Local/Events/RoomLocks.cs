using System.Collections.Concurrent;

namespace Federation.Local.Events;

/// <summary>
/// Serialises the creation of local events per room within the process, so that two events created at once do not
/// both build on the same extremities and fork the room needlessly (the store's advisory lock only orders the writes).
/// </summary>
public sealed class RoomLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Waits for the room's lock; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(string roomId, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(roomId, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(semaphore);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
