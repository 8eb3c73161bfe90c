using System.Text.Json.Nodes;

namespace Federation.Local.Rooms;

/// <summary>One entry of <c>initial_state</c> in a createRoom request.</summary>
/// <param name="Type">The event type.</param>
/// <param name="StateKey">The state key (empty when the client gave none).</param>
/// <param name="Content">The event content.</param>
public sealed record InitialStateEvent(string Type, string StateKey, JsonObject Content);
