namespace Federation.Local.Events;

/// <summary>
/// Serialises the creation of local events per room within the process, so that two events created at once do not
/// both build on the same extremities and fork the room needlessly (the store's advisory lock only orders the writes).
/// A room's entry lives only while the lock is held or awaited; callers check that the room exists before locking.
/// </summary>
public sealed class RoomLocks
{
    private readonly KeyedLocks<string> _locks = new(StringComparer.Ordinal);

    /// <summary>How many rooms are locked or awaited right now.</summary>
    public int Count => _locks.Count;

    /// <summary>Waits for the room's lock; dispose the result to release it.</summary>
    public Task<IDisposable> AcquireAsync(string roomId, CancellationToken cancellationToken) => _locks.AcquireAsync(roomId, cancellationToken);
}
