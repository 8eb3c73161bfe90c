using System.Text.Json;
using Federation.Protocol.Events;

namespace Federation.Storage.Dag;

/// <summary>One event of a batch handed to <see cref="DagStore.PersistEventsAsync"/>, with what the checks decided.</summary>
public sealed class EventToPersist
{
    /// <summary>Creates the entry for <paramref name="pdu"/>; set the other properties with an initializer.</summary>
    public EventToPersist(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        Pdu = pdu;
    }

    /// <summary>The event as received (its JSON is stored in canonical form).</summary>
    public Pdu Pdu { get; }

    /// <summary>Accepted (default), soft-failed or rejected.</summary>
    public EventStatus Status { get; init; } = EventStatus.Accepted;

    /// <summary>Why it was rejected; required exactly when <see cref="Status"/> is <see cref="EventStatus.Rejected"/>.</summary>
    public string? RejectionReason { get; init; }

    /// <summary>Held without known state (fetched for a snapshot or auth chain): then <see cref="StateBefore"/> must be null.</summary>
    public bool IsOutlier { get; init; }

    /// <summary>Arrived through backfill: never changes forward extremities.</summary>
    public bool IsBackfilled { get; init; }

    /// <summary>The redacted copy to serve and use instead, when the content hash did not match.</summary>
    public JsonElement? RedactedJson { get; init; }

    /// <summary>
    /// The event's JSON already encoded canonically (as read back from the store, or encoded once when received), stored
    /// as given instead of encoding <see cref="Pdu"/>'s JSON again. Must be exactly that encoding; null: the store encodes.
    /// </summary>
    public ReadOnlyMemory<byte>? CanonicalJson { get; init; }

    /// <summary>State before the event; required unless <see cref="IsOutlier"/>.</summary>
    public StateBefore? StateBefore { get; init; }

    /// <summary>An accepted event whose state before is the state after <paramref name="stateFrom"/>.</summary>
    public static EventToPersist Accepted(Pdu pdu, string stateFrom) => new(pdu) { StateBefore = StateBefore.SameAsAfter(stateFrom) };

    /// <summary>An outlier (no state).</summary>
    public static EventToPersist Outlier(Pdu pdu) => new(pdu) { IsOutlier = true };
}
