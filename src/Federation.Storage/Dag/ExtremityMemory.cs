namespace Federation.Storage.Dag;

/// <summary>
/// Rooms' forward extremities as this process last read them or left them with a write that decided them in memory,
/// for writers that check them under the room's lock anyway (<see cref="DagStore.PersistEventsIfExtremitiesAsync"/>):
/// another process may have written since, which that check finds. A room's entry is forgotten when a write of this
/// process starts, and set only by a write or read during which no other write of the room was under way, so writes
/// racing in this process never leave a stale entry behind.
/// </summary>
internal sealed class ExtremityMemory
{
    private readonly Dictionary<long, Room> rooms = [];
    private readonly Lock guard = new();

    public bool TryGet(long roomNid, out IReadOnlyList<string> extremities)
    {
        lock (guard)
        {
            var known = rooms.GetValueOrDefault(roomNid)?.Extremities;
            extremities = known ?? [];
            return known is not null;
        }
    }

    /// <summary>A write of the room starts: its entry is forgotten.</summary>
    /// <returns>The ticket to finish the write with.</returns>
    public long StartWrite(long roomNid)
    {
        lock (guard)
        {
            var room = Get(roomNid);
            room.Ticket++;
            room.Writing++;
            room.Extremities = null;
            return room.Ticket;
        }
    }

    /// <summary>A write has ended; <paramref name="extremities"/> are the room's after it, null when not known (or when
    /// it failed).</summary>
    public void FinishWrite(long roomNid, long ticket, IReadOnlyList<string>? extremities)
    {
        lock (guard)
        {
            var room = Get(roomNid);
            room.Writing--;
            if (room.Ticket == ticket && room.Writing == 0)
            {
                room.Extremities = extremities;
            }
        }
    }

    /// <summary>A read of the room's extremities starts.</summary>
    /// <returns>The ticket to finish the read with; null when a write is under way (what the read finds is then not
    /// remembered).</returns>
    public long? StartRead(long roomNid)
    {
        lock (guard)
        {
            var room = Get(roomNid);
            return room.Writing == 0 ? room.Ticket : null;
        }
    }

    /// <summary>Remembers what a read found, unless a write started since it did.</summary>
    public void FinishRead(long roomNid, long ticket, IReadOnlyList<string> extremities)
    {
        lock (guard)
        {
            var room = Get(roomNid);
            if (room.Ticket == ticket && room.Writing == 0)
            {
                room.Extremities = extremities;
            }
        }
    }

    private Room Get(long roomNid)
    {
        if (!rooms.TryGetValue(roomNid, out var room))
        {
            room = new Room();
            rooms[roomNid] = room;
        }

        return room;
    }

    private sealed class Room
    {
        public long Ticket { get; set; }

        public int Writing { get; set; }

        public IReadOnlyList<string>? Extremities { get; set; }
    }
}
