using Federation.Ingest.Remote;

namespace Federation.Ingest.Queue;

/// <summary>An admitted PDU waiting in the inbound queue.</summary>
public sealed record QueuedPdu(long Id, string Origin, VerifiedEvent Event, int Attempts);
