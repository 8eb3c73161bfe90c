namespace Federation.Resync.Recovery;

/// <summary>How rebuilding one room went.</summary>
public enum RoomRebuildOutcome
{
    /// <summary>The room's latest events are stored with a state every server asked agreed on.</summary>
    Rebuilt,

    /// <summary>Stored from one server's claim that no other server could confirm (none answered, or there was none to
    /// ask).</summary>
    Unconfirmed,

    /// <summary>Stored, but the servers asked claimed different states: ours is their resolution, to be checked by an
    /// operator (and by the divergence detector).</summary>
    Disputed,

    /// <summary>No server answered with a usable state; nothing was stored beyond verified outliers.</summary>
    Failed,
}
