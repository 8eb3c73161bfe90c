using System.Text.Json;
using Federation.Protocol.Events;

namespace Federation.Ingest.Remote;

/// <summary>
/// An event from another server that passed the format, room, signature and content-hash checks; when the hash did
/// not match, <see cref="Pdu"/> is the redacted copy and <see cref="Redacted"/> its JSON, to be stored as such.
/// </summary>
public sealed record VerifiedEvent(Pdu Pdu, JsonElement? Redacted)
{
    public string EventId => Pdu.EventId;
}
