using System.Runtime.CompilerServices;
using Federation.Protocol.RoomVersions;

namespace Federation.Ingest.State;

/// <summary>
/// A resolution's inputs by identity: the room version and the very <see cref="RoomState"/> objects resolved. States
/// are never changed once built, and the states after settled events are shared objects (<see cref="Batching.SettledEventCache"/>),
/// so the soft-fail check of every message after a fork resolves the same objects again. From version 2 on the
/// algorithm works on the set of states, so their order is made canonical; version 1 depends on it, so it is kept.
/// </summary>
internal sealed class ResolutionKey : IEquatable<ResolutionKey>
{
    private readonly string version;
    private readonly RoomState[] states;
    private readonly int hash;

    public ResolutionKey(RoomVersion roomVersion, IReadOnlyList<RoomState> resolved)
    {
        version = roomVersion.Id;
        states = [.. resolved];
        if (roomVersion.StateResolution != StateResolutionAlgorithm.V1)
        {
            // Equal identity hashes of different objects only cost a miss: the same set may then be keyed in two orders.
            Array.Sort(states, (a, b) => RuntimeHelpers.GetHashCode(a).CompareTo(RuntimeHelpers.GetHashCode(b)));
        }

        var combined = new HashCode();
        combined.Add(version, StringComparer.Ordinal);
        foreach (var state in states)
        {
            combined.Add(RuntimeHelpers.GetHashCode(state));
        }

        hash = combined.ToHashCode();
    }

    public bool Equals(ResolutionKey? other)
    {
        if (other is null || other.hash != hash || other.states.Length != states.Length || !string.Equals(other.version, version, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < states.Length; i++)
        {
            if (!ReferenceEquals(states[i], other.states[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as ResolutionKey);

    public override int GetHashCode() => hash;
}
