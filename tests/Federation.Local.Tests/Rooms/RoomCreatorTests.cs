using System.Text.Json;
using Federation.Local.Rooms;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;
using System.Text.Json.Nodes;

namespace Federation.Local.Tests.Rooms;

/// <summary>createRoom's initial events: repeated initial_state slots, v12 creators and default power levels.</summary>
public sealed class RoomCreatorTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static async Task<JsonElement> ContentAsync(LocalHarness harness, string roomId, string type, string stateKey = "")
    {
        var state = await harness.Get<LocalRooms>().CurrentStateAsync(roomId, CancellationToken.None);
        return (await harness.Get<DagStore>().GetEventsAsync([state[type, stateKey]!])).Single().Pdu.Content;
    }

    [Fact]
    public async Task A_slot_repeated_in_initial_state_is_sent_once_with_the_last_content()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "create-repeat.test");

        var roomId = await harness.Get<RoomCreator>().CreateAsync(
            harness.User("alice"),
            new CreateRoomRequest
            {
                InitialState =
                [
                    new InitialStateEvent(EventTypes.Topic, "", new JsonObject { ["topic"] = "first" }),
                    new InitialStateEvent(EventTypes.JoinRules, "", new JsonObject { ["join_rule"] = "public" }),
                    new InitialStateEvent(EventTypes.Topic, "", new JsonObject { ["topic"] = "last" }),
                    new InitialStateEvent(EventTypes.JoinRules, "", new JsonObject { ["join_rule"] = "knock" }),
                ],
            },
            CancellationToken.None);

        Assert.Equal("last", (await ContentAsync(harness, roomId, EventTypes.Topic)).GetProperty("topic").GetString());
        Assert.Equal("knock", (await ContentAsync(harness, roomId, EventTypes.JoinRules)).GetProperty("join_rule").GetString());
    }

    [Fact]
    public async Task A_v12_trusted_private_chat_adds_the_invitees_to_the_clients_additional_creators_once_each()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "create-creators.test");
        var (bob, carol, dave) = (harness.User("bob"), harness.User("carol"), harness.User("dave"));

        var roomId = await harness.Get<RoomCreator>().CreateAsync(
            harness.User("alice"),
            new CreateRoomRequest
            {
                RoomVersion = "12",
                Preset = "trusted_private_chat",
                Invite = [bob, carol],
                CreationContent = new JsonObject { ["additional_creators"] = new JsonArray(dave, bob) },
            },
            CancellationToken.None);

        var creators = (await ContentAsync(harness, roomId, EventTypes.Create)).GetProperty("additional_creators").EnumerateArray().Select(c => c.GetString());
        Assert.Equal([dave, bob, carol], creators);
    }

    [Theory]
    [InlineData("11", 100)]
    [InlineData("12", 150)]
    public async Task The_default_power_levels_give_the_tombstone_150_from_room_version_12(string version, int expected)
    {
        await using var harness = new LocalHarness(database.ConnectionString, "create-tombstone.test");

        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest { RoomVersion = version }, CancellationToken.None);

        var levels = await ContentAsync(harness, roomId, EventTypes.PowerLevels);
        Assert.Equal(expected, levels.GetProperty("events").GetProperty("m.room.tombstone").GetInt32());
    }
}
