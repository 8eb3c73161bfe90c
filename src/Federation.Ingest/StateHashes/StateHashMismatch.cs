using Federation.Resync.Core.StateHashes;

namespace Federation.Ingest.StateHashes;

/// <summary>One recorded disagreement: <paramref name="Origin"/>'s digests around <paramref name="EventId"/> differ
/// from ours.</summary>
public sealed record StateHashMismatch(
    string Origin, string RoomId, string EventId, StateHashCheck Check, StateHashTiming Timing, DateTimeOffset At);
