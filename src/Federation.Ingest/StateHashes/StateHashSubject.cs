using Federation.Protocol.Events;

namespace Federation.Ingest.StateHashes;

/// <summary>A PDU of a <c>/send</c> that was taken in: either already held with state (<paramref name="Pending"/> null) or
/// admitted and waiting for the queue.</summary>
public sealed record StateHashSubject(string RoomId, string EventId, Pdu? Pending);
