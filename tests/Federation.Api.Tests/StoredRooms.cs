using Federation.Storage.Dag;
using Federation.Testing.Events;
using Npgsql;

namespace Federation.Api.Tests;

/// <summary>What our server must hold for linear rooms it received in full, checked in its database.</summary>
public static class StoredRooms
{
    /// <summary>
    /// Every event of every room is stored exactly once, accepted and in the timeline; each room's only forward extremity
    /// is its last event (the one accepted event without accepted children), and the state after it is the room's as
    /// its builder computed it; nothing waits in the inbound queue.
    /// </summary>
    public static async Task AssertConsistentAsync(NpgsqlDataSource dataSource, IEnumerable<SignedRoomBuilder> rooms)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        var store = new DagStore(dataSource);
        foreach (var room in rooms)
        {
            var stored = await store.GetEventsAsync([.. room.Events.Select(e => e.EventId)]);
            Assert.Equal(room.Events.Count, stored.Count);
            Assert.All(stored, e => Assert.Equal((EventStatus.Accepted, false), (e.Status, e.IsOutlier)));
            Assert.Equal(room.Events.Count, await CountAsync(
                dataSource, "SELECT count(*) FROM events WHERE room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)", room.RoomId));
            Assert.Equal([room.Last.EventId], await store.GetForwardExtremitiesAsync(room.RoomId));
            Assert.Equal(
                room.State.Values.Select(e => e.EventId).Order(StringComparer.Ordinal),
                (await store.GetStateIdsAsync(room.RoomId, room.Last.EventId, StatePosition.After))!.Order(StringComparer.Ordinal));
        }

        Assert.Equal(0, await CountAsync(dataSource, "SELECT count(*) FROM inbound_pdus"));
    }

    public static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql, params object[] parameters)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(parameters);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }
}
