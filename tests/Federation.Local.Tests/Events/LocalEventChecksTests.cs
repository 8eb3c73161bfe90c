using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Rooms;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Local.Tests.Events;

/// <summary>Local events are held to the PDU format and size checks other servers apply, and unknown rooms cost nothing.</summary>
public sealed class LocalEventChecksTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static async Task<MatrixException> RefusedAsync(LocalHarness harness, string roomId, string type, string? stateKey, JsonObject content) =>
        await Assert.ThrowsAsync<MatrixException>(() =>
            harness.Get<LocalEventBuilder>().CreateAsync(roomId, harness.User("alice"), type, stateKey, content, CancellationToken.None));

    [Fact]
    public async Task A_float_in_content_of_a_v6_or_later_room_is_400_M_BAD_JSON_and_nothing_is_stored()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "checks-float.test");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest { RoomVersion = "10" }, CancellationToken.None);
        var before = await harness.Get<DagStore>().GetForwardExtremitiesAsync(roomId);

        var refused = await RefusedAsync(harness, roomId, EventTypes.Message, null, JsonNode.Parse("""{"body": "pi", "value": 3.14}""")!.AsObject());

        Assert.Equal((ErrorCode.BadJson, 400), (refused.ErrorCode, refused.StatusCode));
        Assert.Equal(before, await harness.Get<DagStore>().GetForwardExtremitiesAsync(roomId));
    }

    [Fact]
    public async Task An_event_over_65536_bytes_is_413_M_TOO_LARGE()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "checks-size.test");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest(), CancellationToken.None);

        var refused = await RefusedAsync(harness, roomId, EventTypes.Message, null, new JsonObject { ["body"] = new string('x', 65_536) });

        Assert.Equal((ErrorCode.TooLarge, 413), (refused.ErrorCode, refused.StatusCode));
    }

    [Fact]
    public async Task A_state_key_over_255_bytes_is_400_M_BAD_JSON()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "checks-key.test");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest(), CancellationToken.None);

        var refused = await RefusedAsync(harness, roomId, "m.custom", new string('k', 256), new JsonObject());

        Assert.Equal((ErrorCode.BadJson, 400), (refused.ErrorCode, refused.StatusCode));
    }

    [Fact]
    public async Task Events_for_rooms_we_do_not_hold_are_404_and_leave_no_room_lock_behind()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "checks-unknown.test");

        for (var i = 0; i < 3; i++)
        {
            var refused = await RefusedAsync(harness, $"!made-up-{i}:elsewhere.test", EventTypes.Message, null, new JsonObject { ["body"] = "?" });
            Assert.Equal(404, refused.StatusCode);
        }

        Assert.Equal(0, harness.Get<RoomLocks>().Count);
    }
}
