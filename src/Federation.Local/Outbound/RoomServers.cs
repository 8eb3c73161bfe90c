using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Storage.Dag;

namespace Federation.Local.Outbound;

/// <summary>Which servers have a joined member in a room state: the servers an event must reach.</summary>
public sealed class RoomServers(DagStore store)
{
    /// <summary>
    /// The servers with a joined user in <paramref name="state"/>, with <paramref name="pending"/> (an event not yet
    /// stored, or stored but not in <paramref name="state"/>) taking its own member slot.
    /// </summary>
    public async Task<IReadOnlySet<string>> JoinedServersAsync(RoomState state, Pdu? pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var memberIds = state.Entries
            .Where(e => e.Key.Type == EventTypes.Member && !(pending?.Type == EventTypes.Member && pending.StateKey == e.Key.StateKey))
            .Select(e => e.Value)
            .ToArray();
        var members = (await store.GetEventsAsync(memberIds, cancellationToken).ConfigureAwait(false)).Select(e => e.Pdu).ToList();
        if (pending is { Type: EventTypes.Member })
        {
            members.Add(pending);
        }

        return members
            .Where(m => m.Membership == "join")
            .Select(m => MatrixIds.ServerNameOf(m.StateKey))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
    }
}
