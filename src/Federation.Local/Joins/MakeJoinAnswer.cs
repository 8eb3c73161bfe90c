using System.Text.Json.Nodes;
using Federation.Protocol.RoomVersions;

namespace Federation.Local.Joins;

/// <summary>The answer to <c>make_join</c>: the template, or (when the joining server cannot use the room's version) none.</summary>
/// <param name="Template">The unsigned join event, or null when the version is not among the ones the joiner supports.</param>
/// <param name="Version">The room's version.</param>
public sealed record MakeJoinAnswer(JsonObject? Template, RoomVersion Version);
