using Federation.Ingest.Remote;
using Federation.Resync.Core.StateHashes;

namespace Federation.Ingest.Queue;

/// <summary>An admitted PDU waiting in the inbound queue, with what its sender asserted about the state around it when
/// that is still to be checked.</summary>
public sealed record QueuedPdu(long Id, string Origin, VerifiedEvent Event, int Attempts, StateHashClaim? Claim = null);
