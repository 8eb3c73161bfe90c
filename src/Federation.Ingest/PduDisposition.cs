namespace Federation.Ingest;

/// <summary>What the receive checks decided about a PDU (spec "Checks performed on receipt of a PDU").</summary>
public enum PduDisposition
{
    /// <summary>Passed every check so far.</summary>
    Accepted,

    /// <summary>Malformed or badly signed: not stored at all.</summary>
    Dropped,

    /// <summary>Failed the auth rules against its own auth events or the state before it: stored, never used as state.</summary>
    Rejected,

    /// <summary>Passed against the state before it but not against the current state: stored, not an extremity.</summary>
    SoftFailed,
}
