using Federation.Ingest;

namespace Federation.Resync.Reconciliation;

/// <summary>What one reconciliation of a room with one peer found and did.</summary>
public sealed record ReconciliationReport
{
    public required string RoomId { get; init; }

    public required string Peer { get; init; }

    public required ReconciliationStatus Status { get; init; }

    /// <summary>Why the exchange stopped short or failed, in words; null when it completed.</summary>
    public string? Failure { get; init; }

    /// <summary>Messages sent to the peer (one round trip each).</summary>
    public int Rounds { get; init; }

    /// <summary>Request bodies sent, in bytes (canonical JSON).</summary>
    public long BytesSent { get; init; }

    /// <summary>Response bodies received, in bytes.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Ids of events we hold that the peer lacks: only reported, the peer fetches them itself.</summary>
    public IReadOnlyList<string> HaveEventIds { get; init; } = [];

    /// <summary>Events we hold that the peer lacks, counted even where their ids cannot be named (room versions 1 and 2).</summary>
    public int HaveCount { get; init; }

    /// <summary>Events the peer holds that we lack.</summary>
    public int NeedCount { get; init; }

    /// <summary>Needed events that could not be downloaded or did not verify.</summary>
    public int DownloadFailures { get; init; }

    /// <summary>What the ingest pipeline made of each downloaded event, in the order it was given them.</summary>
    public IReadOnlyList<(string EventId, PduOutcome Outcome)> Ingested { get; init; } = [];
}
