using System.Text.Json.Nodes;

namespace Federation.Local.Rooms;

/// <summary>The parts of a Client-Server <c>POST /createRoom</c> body this server acts on.</summary>
public sealed record CreateRoomRequest
{
    /// <summary>The room version; null for the server's default.</summary>
    public string? RoomVersion { get; init; }

    /// <summary><c>private_chat</c>, <c>public_chat</c> or <c>trusted_private_chat</c>; null to follow <see cref="Visibility"/>.</summary>
    public string? Preset { get; init; }

    /// <summary><c>public</c> or <c>private</c> (default): picks the preset when none is given.</summary>
    public string? Visibility { get; init; }

    public string? Name { get; init; }

    public string? Topic { get; init; }

    /// <summary>User ids to invite.</summary>
    public IReadOnlyList<string> Invite { get; init; } = [];

    /// <summary>State events to send after the preset's.</summary>
    public IReadOnlyList<InitialStateEvent> InitialState { get; init; } = [];

    /// <summary>Top-level keys replacing those of the default power levels.</summary>
    public JsonObject? PowerLevelContentOverride { get; init; }

    /// <summary>Extra keys of the create event's content.</summary>
    public JsonObject? CreationContent { get; init; }

    /// <summary>Marks the invites as direct-chat invites.</summary>
    public bool IsDirect { get; init; }
}
