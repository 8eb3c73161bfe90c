using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Rooms;
using Federation.Storage.Dag;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Recovery;

/// <summary>
/// Builds the manifest from the store: every room where a local user is joined in the current state, with the servers
/// that have the most joined members. Rooms of the previous manifest that the store does not hold (not rebuilt yet)
/// are kept as they were, so a server that lost its database does not forget them by writing its manifest.
/// </summary>
public sealed class RecoveryManifestBuilder(
    DagStore store, JoinedMembers members, ServerIdentity identity, IOptions<ResyncOptions> options, TimeProvider time)
{
    /// <summary>Local members listed per room: one suffices, a few survive one of them leaving.</summary>
    private const int LocalMembersPerRoom = 3;

    public async Task<RecoveryManifest> BuildAsync(RecoveryManifest? previous, CancellationToken cancellationToken)
    {
        var rooms = new List<RecoveryManifestRoom>();
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var listing in await store.GetRoomsAsync(cancellationToken).ConfigureAwait(false))
        {
            held.Add(listing.RoomId);
            if (RoomVersion.TryGet(listing.RoomVersion, out var version)
                && await DescribeAsync(listing.RoomId, version, cancellationToken).ConfigureAwait(false) is { } room)
            {
                rooms.Add(room);
            }
        }

        if (previous is not null && previous.ServerName == identity.ServerName)
        {
            rooms.AddRange(previous.Rooms.Where(r => !held.Contains(r.RoomId)));
        }

        rooms.Sort((a, b) => string.CompareOrdinal(a.RoomId, b.RoomId));
        return new RecoveryManifest(identity.ServerName, time.GetUtcNow().ToUnixTimeMilliseconds(), rooms);
    }

    private async Task<RecoveryManifestRoom?> DescribeAsync(string roomId, RoomVersion version, CancellationToken cancellationToken)
    {
        var joined = await members.UsersAsync(roomId, version, cancellationToken).ConfigureAwait(false);
        var local = joined.Where(u => MatrixIds.ServerNameOf(u) == identity.ServerName).Order(StringComparer.Ordinal).Take(LocalMembersPerRoom).ToArray();
        if (local.Length == 0)
        {
            return null;
        }

        var servers = joined
            .Select(MatrixIds.ServerNameOf)
            .OfType<string>()
            .Where(s => s != identity.ServerName)
            .GroupBy(s => s, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(options.Value.RecoveryServersPerRoom)
            .Select(g => g.Key)
            .ToArray();
        return new RecoveryManifestRoom(roomId, version.Id, servers, local);
    }
}
