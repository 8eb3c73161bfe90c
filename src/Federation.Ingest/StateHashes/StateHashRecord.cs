using System.Collections.Concurrent;

namespace Federation.Ingest.StateHashes;

/// <summary>
/// What this process's state digest checks found: how many claims could be compared, the most recent mismatches (at
/// most <see cref="Capacity"/>, oldest dropped first), and whether a mismatch is the first of its room for a while, so
/// that a room that stays divergent is logged at warning level once per <see cref="WarningInterval"/> rather than for
/// every event (MSC4500 asks for per-room deduplication).
/// </summary>
public sealed class StateHashRecord
{
    public const int Capacity = 256;

    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentQueue<StateHashMismatch> _mismatches = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastWarned = new(StringComparer.Ordinal);
    private long _compared;

    /// <summary>Claims compared with our digests (matches and mismatches) since the process started.</summary>
    public long Compared => Interlocked.Read(ref _compared);

    /// <summary>The recent mismatches, oldest first.</summary>
    public IReadOnlyList<StateHashMismatch> RecentMismatches => [.. _mismatches];

    public void CountCompared() => Interlocked.Increment(ref _compared);

    /// <summary>Keeps <paramref name="mismatch"/>; true when it is the first of its room within the warning interval.</summary>
    public bool AddMismatch(StateHashMismatch mismatch)
    {
        ArgumentNullException.ThrowIfNull(mismatch);
        _mismatches.Enqueue(mismatch);
        while (_mismatches.Count > Capacity && _mismatches.TryDequeue(out _))
        {
        }

        var first = true;
        _lastWarned.AddOrUpdate(
            mismatch.RoomId,
            mismatch.At,
            (_, last) =>
            {
                first = mismatch.At - last >= WarningInterval;
                return first ? mismatch.At : last;
            });
        return first;
    }
}
