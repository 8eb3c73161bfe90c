using System.Collections.Concurrent;
using Npgsql;

namespace Federation.Storage.Dag;

/// <summary>
/// Interns event types and (type, state_key) slots into small integers. Each lookup of unknown values runs in its own
/// short autocommit statements, outside any event-writing transaction, so cached numbers always refer to committed
/// rows; a value interned for a write that later failed simply stays unused.
/// </summary>
internal sealed class StateSlotInterner(NpgsqlDataSource dataSource)
{
    private const string InternTypesSql =
        "INSERT INTO event_types (event_type) SELECT t FROM unnest($1::text[]) AS t ORDER BY t ON CONFLICT DO NOTHING";

    private const string SelectTypesSql = "SELECT type_nid, event_type FROM event_types WHERE event_type = ANY ($1)";

    private const string InternSlotsSql =
        """
        INSERT INTO state_slots (type_nid, state_key)
        SELECT t, k FROM unnest($1::integer[], $2::text[]) AS w(t, k) ORDER BY t, k
        ON CONFLICT DO NOTHING
        """;

    private const string SelectSlotsSql =
        """
        SELECT s.slot_nid, s.type_nid, s.state_key
        FROM state_slots s JOIN unnest($1::integer[], $2::text[]) AS w(t, k) ON s.type_nid = w.t AND s.state_key = w.k
        """;

    private const string SelectSlotsByNidSql =
        "SELECT s.slot_nid, t.event_type, s.state_key FROM state_slots s JOIN event_types t USING (type_nid) WHERE s.slot_nid = ANY ($1)";

    private readonly ConcurrentDictionary<string, int> typeNids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(int Type, string StateKey), long> slotNids = new();
    private readonly ConcurrentDictionary<long, StateSlot> slotsByNid = new();

    public int TypeNid(string type) =>
        typeNids.TryGetValue(type, out var nid) ? nid : throw new InvalidOperationException($"Event type '{type}' is not interned.");

    public long SlotNid(StateSlot slot) =>
        slotNids.TryGetValue((TypeNid(slot.Type), slot.StateKey), out var nid)
            ? nid
            : throw new InvalidOperationException($"State slot {slot} is not interned.");

    public bool TryGetTypeNid(string type, out int nid) => typeNids.TryGetValue(type, out nid);

    public bool TryGetSlot(long slotNid, out StateSlot slot) => slotsByNid.TryGetValue(slotNid, out slot);

    /// <summary>Interns every type of <paramref name="types"/> and slot of <paramref name="slots"/> not yet cached.</summary>
    public async Task InternAsync(IEnumerable<string> types, IEnumerable<StateSlot> slots, CancellationToken cancellationToken)
    {
        var slotList = slots as IReadOnlyCollection<StateSlot> ?? [.. slots];
        var missingTypes = types.Concat(slotList.Select(slot => slot.Type))
            .Where(type => !typeNids.ContainsKey(type))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (missingTypes.Length > 0)
        {
            await InternTypesAsync(missingTypes, cancellationToken).ConfigureAwait(false);
        }

        var missingSlots = slotList
            .Select(slot => (Type: typeNids[slot.Type], slot.StateKey, Slot: slot))
            .Where(slot => !slotNids.ContainsKey((slot.Type, slot.StateKey)))
            .DistinctBy(slot => (slot.Type, slot.StateKey))
            .ToArray();
        if (missingSlots.Length > 0)
        {
            await InternSlotsAsync(missingSlots, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Makes sure the texts of <paramref name="nids"/> are cached (for reading state back as slots).</summary>
    public async Task LoadSlotsAsync(NpgsqlConnection connection, IEnumerable<long> nids, CancellationToken cancellationToken)
    {
        var missing = nids.Where(nid => !slotsByNid.ContainsKey(nid)).Distinct().ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(SelectSlotsByNidSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = missing });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            slotsByNid[reader.GetInt64(0)] = new StateSlot(reader.GetString(1), reader.GetString(2));
        }
    }

    private async Task InternTypesAsync(string[] types, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(InternTypesSql, (object)types));
        batch.BatchCommands.Add(Command(SelectTypesSql, (object)types));
        // The INSERT returns no rows, so the reader starts at the SELECT.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            typeNids[reader.GetString(1)] = reader.GetInt32(0);
        }
    }

    private async Task InternSlotsAsync((int Type, string StateKey, StateSlot Slot)[] slots, CancellationToken cancellationToken)
    {
        var typeArray = slots.Select(slot => slot.Type).ToArray();
        var keyArray = slots.Select(slot => slot.StateKey).ToArray();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(InternSlotsSql, typeArray, keyArray));
        batch.BatchCommands.Add(Command(SelectSlotsSql, typeArray, keyArray));
        // The INSERT returns no rows, so the reader starts at the SELECT.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var typesByNid = slots.ToDictionary(slot => (slot.Type, slot.StateKey), slot => slot.Slot);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = (reader.GetInt32(1), reader.GetString(2));
            var nid = reader.GetInt64(0);
            slotNids[key] = nid;
            slotsByNid[nid] = typesByNid[key];
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
