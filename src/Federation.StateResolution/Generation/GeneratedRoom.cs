using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;

namespace Federation.StateResolution.Generation;

/// <summary>A generated room: events in a topological order, and the ids of interesting points of its DAG.</summary>
public sealed class GeneratedRoom
{
    internal GeneratedRoom(RoomVersion version, string roomId, IReadOnlyList<Pdu> events, string forkPoint, IReadOnlyList<string> tips, string? merge)
    {
        RoomVersion = version;
        RoomId = roomId;
        Events = events;
        ForkPoint = forkPoint;
        Tips = tips;
        Merge = merge;
    }

    public RoomVersion RoomVersion { get; }

    public string RoomId { get; }

    /// <summary>All events, parents before children.</summary>
    public IReadOnlyList<Pdu> Events { get; }

    /// <summary>The last event of the common history.</summary>
    public string ForkPoint { get; }

    /// <summary>The last event of each branch.</summary>
    public IReadOnlyList<string> Tips { get; }

    /// <summary>The merge event, when one was generated.</summary>
    public string? Merge { get; }
}
