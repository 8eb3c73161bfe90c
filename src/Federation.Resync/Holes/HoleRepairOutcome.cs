namespace Federation.Resync.Holes;

/// <summary>What one attempt at a hole came to.</summary>
public enum HoleRepairOutcome
{
    /// <summary>The asked server supplied the event and it is now held.</summary>
    Filled,

    /// <summary>The asked server did not supply it (or it could not be stored); the hole backs off.</summary>
    Failed,

    /// <summary>The hole was marked lost: its deadline passed, or this was its last allowed attempt.</summary>
    Lost,

    /// <summary>No server to ask: nobody else is known in the room.</summary>
    NoCandidate,
}
