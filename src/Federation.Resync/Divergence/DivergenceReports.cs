using System.Collections.Concurrent;

namespace Federation.Resync.Divergence;

/// <summary>The latest divergence report of each room probed by this process (kept in memory: a report is only
/// meaningful while the state it describes is current).</summary>
public sealed class DivergenceReports
{
    private readonly ConcurrentDictionary<string, DivergenceReport> latest = new(StringComparer.Ordinal);

    public void Record(DivergenceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        latest[report.RoomId] = report;
    }

    public DivergenceReport? Latest(string roomId) => latest.GetValueOrDefault(roomId);

    public IReadOnlyList<DivergenceReport> All() => [.. latest.Values.OrderBy(r => r.RoomId, StringComparer.Ordinal)];
}
