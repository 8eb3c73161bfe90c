namespace Federation.Protocol.RoomVersions;

/// <summary>The state-resolution algorithm a room version uses.</summary>
public enum StateResolutionAlgorithm
{
    /// <summary>The original algorithm of room version 1.</summary>
    V1,

    /// <summary>State resolution v2 (room versions 2–11).</summary>
    V2,

    /// <summary>State resolution v2.1 (room version 12): empty start for power events and the conflicted state subgraph.</summary>
    V21,
}
