using Federation.Storage.Dag;

namespace Federation.Storage.Tests.Dag;

public sealed class ExtremityMemoryTests
{
    private const long Room = 7;

    [Fact]
    public void A_finished_write_is_remembered_until_the_next_write_starts()
    {
        var memory = new ExtremityMemory();
        memory.FinishWrite(Room, memory.StartWrite(Room), ["$a"]);

        Assert.True(memory.TryGet(Room, out var remembered));
        Assert.Equal(["$a"], remembered);

        var next = memory.StartWrite(Room);

        Assert.False(memory.TryGet(Room, out _));
        memory.FinishWrite(Room, next, extremities: null);
        Assert.False(memory.TryGet(Room, out _));
    }

    [Fact]
    public void Of_two_overlapping_writes_neither_is_remembered()
    {
        var memory = new ExtremityMemory();
        var first = memory.StartWrite(Room);
        var second = memory.StartWrite(Room);

        memory.FinishWrite(Room, second, ["$second"]);
        memory.FinishWrite(Room, first, ["$first"]);

        Assert.False(memory.TryGet(Room, out _));
    }

    [Fact]
    public void A_read_is_remembered_only_when_no_write_ran_during_it()
    {
        var memory = new ExtremityMemory();
        var read = memory.StartRead(Room)!.Value;
        memory.FinishWrite(Room, memory.StartWrite(Room), extremities: null);
        memory.FinishRead(Room, read, ["$before-the-write"]);
        Assert.False(memory.TryGet(Room, out _));

        var writing = memory.StartWrite(Room);
        Assert.Null(memory.StartRead(Room));
        memory.FinishWrite(Room, writing, extremities: null);

        memory.FinishRead(Room, memory.StartRead(Room)!.Value, ["$read"]);
        Assert.True(memory.TryGet(Room, out var remembered));
        Assert.Equal(["$read"], remembered);
    }
}
