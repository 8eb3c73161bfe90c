using Federation.Protocol.Events;

namespace Federation.Storage.Dag;

/// <summary>An event read back from the store with its bookkeeping.</summary>
public sealed class StoredEvent
{
    internal StoredEvent(
        Pdu pdu,
        EventStatus status,
        string? rejectionReason,
        bool isOutlier,
        bool isBackfilled,
        long streamOrdering,
        byte[] json,
        byte[]? redactedJson)
    {
        Pdu = pdu;
        Status = status;
        RejectionReason = rejectionReason;
        IsOutlier = isOutlier;
        IsBackfilled = isBackfilled;
        StreamOrdering = streamOrdering;
        Json = json;
        RedactedJson = redactedJson is null ? (ReadOnlyMemory<byte>?)null : redactedJson;
    }

    /// <summary>The event parsed from its stored JSON (the original, not the redacted copy).</summary>
    public Pdu Pdu { get; }

    public string EventId => Pdu.EventId;

    public string RoomId => Pdu.RoomId;

    public EventStatus Status { get; }

    public string? RejectionReason { get; }

    public bool IsOutlier { get; }

    public bool IsBackfilled { get; }

    /// <summary>The order in which this server persisted it.</summary>
    public long StreamOrdering { get; }

    /// <summary>The canonical JSON as stored (UTF-8).</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The redacted copy stored because the content hash failed, else null.</summary>
    public ReadOnlyMemory<byte>? RedactedJson { get; }

    /// <summary>What to send to other servers: the redacted copy when there is one, else the JSON.</summary>
    public ReadOnlyMemory<byte> ServedJson => RedactedJson ?? Json;

    public override string ToString() => $"{Pdu} [{Status}{(IsOutlier ? ", outlier" : "")}{(IsBackfilled ? ", backfilled" : "")}]";
}
