using Federation.Protocol.Events;
using Federation.Testing.Events;

namespace Federation.Ingest.Benchmarks;

/// <summary>
/// What a correct server holds after the room's pushes, given the <c>/get_missing_events</c> limit: every pushed event
/// and every pulled one accepted with state; for a gap longer than the limit, the event just before the pulled ones
/// (the hole) as an outlier, and the earlier withheld events not with state. The last event is a forward extremity; the
/// event before each such gap may be one too (nothing we hold descends from it), unless it was pruned since.
/// </summary>
public sealed record ExpectedOutcome(
    IReadOnlyList<Pdu> WithState, IReadOnlyList<Pdu> HoleEvents, IReadOnlyList<Pdu> NotWithState, string LastEvent, IReadOnlySet<string> Extremities, int Holes)
{
    public static ExpectedOutcome For(GeneratedRoom room, int missingEventsLimit)
    {
        ArgumentNullException.ThrowIfNull(room);
        var withState = new List<Pdu>(room.Pushed);
        var holeEvents = new List<Pdu>();
        var notWithState = new List<Pdu>();
        var extremities = new HashSet<string>(StringComparer.Ordinal) { room.Stream[^1].EventId };
        foreach (var gap in room.Gaps)
        {
            var pulled = Math.Min(gap.Length, missingEventsLimit);
            withState.AddRange(room.Stream.Skip(gap.Start + gap.Length - pulled).Take(pulled));
            if (gap.Length > missingEventsLimit)
            {
                var hole = gap.Start + gap.Length - pulled - 1;
                holeEvents.Add(room.Stream[hole]);
                notWithState.AddRange(room.Stream.Skip(gap.Start).Take(hole - gap.Start + 1));
                extremities.Add(gap.Start == 0 ? room.Opening[^1].EventId : room.Stream[gap.Start - 1].EventId);
            }
        }

        return new ExpectedOutcome(withState, holeEvents, notWithState, room.Stream[^1].EventId, extremities, holeEvents.Count);
    }
}
