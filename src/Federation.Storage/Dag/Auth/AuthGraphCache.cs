using System.Collections.Concurrent;

namespace Federation.Storage.Dag.Auth;

/// <summary>The in-memory auth graphs of the rooms this process has asked about.</summary>
internal sealed class AuthGraphCache
{
    private readonly ConcurrentDictionary<long, RoomAuthGraph> graphs = new();

    public RoomAuthGraph For(long roomNid) => graphs.GetOrAdd(roomNid, nid => new RoomAuthGraph(nid));
}
