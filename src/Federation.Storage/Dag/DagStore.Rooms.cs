using Federation.Protocol.RoomVersions;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    /// <summary>The version of a room this server holds, or null when it holds no such room.</summary>
    public async Task<RoomVersion?> GetRoomVersionAsync(string roomId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false))?.Version;
    }
}
