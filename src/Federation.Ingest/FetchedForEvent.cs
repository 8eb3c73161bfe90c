using Federation.Ingest.Holes;
using Federation.Ingest.Remote;

namespace Federation.Ingest;

/// <summary>
/// What was fetched from the origin for one pushed event before the room is locked: the events pulled with
/// <c>/get_missing_events</c> (oldest first), the snapshots at the prev events they lack, and the events to store as
/// outliers (auth chains and the snapshots' events), and the events pulled this time whose pull had failed before.
/// </summary>
internal sealed record FetchedForEvent(
    IReadOnlyList<VerifiedEvent> Pulled,
    IReadOnlyDictionary<string, HoleSnapshot> Holes,
    IReadOnlyList<VerifiedEvent> Outliers,
    IReadOnlyList<string> PulledAgain)
{
    public static FetchedForEvent Nothing { get; } = new([], new Dictionary<string, HoleSnapshot>(), [], []);
}
