namespace Federation.Ingest.Checks;

/// <summary>Size limits every PDU must respect (server-server API "PDUs" and client-server API "Size limits").</summary>
public static class PduLimits
{
    /// <summary>Largest event, as canonical JSON in federation format including signatures.</summary>
    public const int MaxEventBytes = 65536;

    /// <summary>Largest <c>type</c>, <c>state_key</c>, <c>sender</c>, <c>room_id</c> and event id, in UTF-8 bytes.</summary>
    public const int MaxIdentifierBytes = 255;

    /// <summary>Most <c>prev_events</c> of a new event (not enforced on backfilled history).</summary>
    public const int MaxPrevEvents = 20;

    /// <summary>Most <c>auth_events</c> of a new event (not enforced on backfilled history).</summary>
    public const int MaxAuthEvents = 10;
}
