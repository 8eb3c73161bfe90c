using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Tests.Dag;

public sealed class StateGroupLevelsTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(31, 1)]
    [InlineData(32, 32)]
    [InlineData(64, 32)]
    [InlineData(1024, 1024)]
    [InlineData(1056, 32)]
    [InlineData(32768, 0)]
    [InlineData(32769, 1)]
    [InlineData(65536, 0)]
    public void A_group_is_based_on_its_parent_a_Base_or_Base_squared_ancestor_or_nothing(int height, int distance) =>
        Assert.Equal(distance, StateGroupLevels.BaseDistance(height));

    [Fact]
    public void Forty_thousand_groups_in_a_line_stay_within_the_chain_bound_and_materialise_exactly()
    {
        // Every group adds one slot; all rows stay in the workspace, so no database is touched.
        using var unopened = new NpgsqlConnection();
        var workspace = new StateGroupWorkspace(new StateGroupCache(100_000_000), unopened, null);
        long? parent = null;
        for (long nid = 1; nid <= 40_000; nid++)
        {
            parent = workspace.Create(nid, parent, new Dictionary<long, long> { [nid] = nid * 10 }).Nid;
        }

        var rows = workspace.Created.ToDictionary(row => row.Nid);
        var longest = 0;
        foreach (var row in rows.Values)
        {
            var length = 1;
            for (var current = row; current.Prev is long prev; current = rows[prev])
            {
                length++;
            }

            longest = Math.Max(longest, length);
            Assert.Equal(row.Height % StateGroupLevels.FullSnapshotInterval == 0, row.IsFullSnapshot);
        }

        Assert.Equal(StateGroupLevels.MaxChainLength, longest);
        Assert.Equal(2, rows.Values.Count(row => row.IsFullSnapshot));
        foreach (var nid in new long[] { 1, 32, 33, 1024, 1025, 32767, 32768, 32769, 40_000 })
        {
            var state = workspace.Materialise(nid).Map;
            Assert.Equal(nid, state.Count);
            Assert.All(state, entry => Assert.Equal(entry.Key * 10, entry.Value));
        }

        // Deltas hold only changes: the whole line stores each change about three times, plus two snapshots.
        var stored = rows.Values.Where(row => !row.IsFullSnapshot).Sum(row => (long)row.Slots.Length);
        Assert.InRange(stored, 40_000, 4 * 40_000);
    }

    [Fact]
    public void A_delta_replacing_and_emptying_slots_materialises_to_the_changed_state()
    {
        using var unopened = new NpgsqlConnection();
        var workspace = new StateGroupWorkspace(new StateGroupCache(1_000), unopened, null);
        workspace.Create(1, null, new Dictionary<long, long> { [1] = 10, [2] = 20, [3] = 30 });
        workspace.Create(2, 1, new Dictionary<long, long> { [2] = 21, [3] = StateGroupLevels.Removed, [4] = 40 });

        Assert.Equal(new Dictionary<long, long> { [1] = 10, [2] = 21, [4] = 40 }, workspace.Materialise(2).Map);
        Assert.Equal(new Dictionary<long, long> { [1] = 10, [2] = 20, [3] = 30 }, workspace.Materialise(1).Map);
    }
}
