using System.Text.Json.Nodes;
using Federation.Local.Rooms;
using Federation.Protocol.Errors;

namespace Federation.Api.Client;

/// <summary>Reads a createRoom body into a <see cref="CreateRoomRequest"/> (<c>400 M_BAD_JSON</c> for wrongly typed members).</summary>
public static class CreateRoomRequestReader
{
    public static CreateRoomRequest Read(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new CreateRoomRequest
        {
            RoomVersion = ClientJson.OptionalString(body, "room_version"),
            Preset = ClientJson.OptionalString(body, "preset"),
            Visibility = ClientJson.OptionalString(body, "visibility"),
            Name = ClientJson.OptionalString(body, "name"),
            Topic = ClientJson.OptionalString(body, "topic"),
            Invite = Strings(body["invite"], "invite"),
            InitialState = InitialState(body["initial_state"]),
            PowerLevelContentOverride = OptionalObject(body["power_level_content_override"], "power_level_content_override"),
            CreationContent = OptionalObject(body["creation_content"], "creation_content"),
            IsDirect = body["is_direct"] is JsonValue direct && direct.TryGetValue<bool>(out var isDirect) && isDirect,
        };
    }

    private static string[] Strings(JsonNode? node, string name) => node switch
    {
        null => [],
        JsonArray array => [.. array.Select(item => item is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new MatrixException(ErrorCode.BadJson, $"'{name}' must be a list of strings"))],
        _ => throw new MatrixException(ErrorCode.BadJson, $"'{name}' must be a list of strings"),
    };

    private static JsonObject? OptionalObject(JsonNode? node, string name) => node switch
    {
        null => null,
        JsonObject obj => obj,
        _ => throw new MatrixException(ErrorCode.BadJson, $"'{name}' must be an object"),
    };

    private static InitialStateEvent[] InitialState(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => [.. array.Select(item => item is JsonObject entry
            ? new InitialStateEvent(
                ClientJson.RequiredString(entry, "type"),
                ClientJson.OptionalString(entry, "state_key") ?? "",
                OptionalObject(entry["content"], "initial_state[].content") ?? [])
            : throw new MatrixException(ErrorCode.BadJson, "'initial_state' entries must be objects"))],
        _ => throw new MatrixException(ErrorCode.BadJson, "'initial_state' must be a list"),
    };
}
