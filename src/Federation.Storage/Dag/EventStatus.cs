namespace Federation.Storage.Dag;

/// <summary>What the receipt checks decided about a stored event (federation-api §1.8). Stored as a smallint.</summary>
public enum EventStatus : short
{
    /// <summary>Passed every check: part of the timeline and of state.</summary>
    Accepted = 0,

    /// <summary>Allowed by the state before it but not by the room's current state: kept in the DAG and in state,
    /// never sent to clients, never a forward extremity.</summary>
    SoftFailed = 1,

    /// <summary>Failed the auth rules: stored so it is not fetched again, never in state (state after = state before)
    /// and never a forward extremity.</summary>
    Rejected = 2,
}
