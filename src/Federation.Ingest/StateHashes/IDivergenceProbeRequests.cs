namespace Federation.Ingest.StateHashes;

/// <summary>
/// Asks for a divergence probe of a room soon, because a peer's state digest around an event differed from ours. Optional:
/// without a registered implementation a mismatch is only counted, logged and kept among the recent ones. An
/// implementation must return at once (the probe runs in the background) and may ignore repeated requests for a room.
/// </summary>
public interface IDivergenceProbeRequests
{
    /// <param name="roomId">The room.</param>
    /// <param name="eventId">An event we hold with state, where our digest differs from the peer's claim: the event
    /// itself, or for an event still queued the prev whose state it shares.</param>
    void RequestProbe(string roomId, string eventId);
}
