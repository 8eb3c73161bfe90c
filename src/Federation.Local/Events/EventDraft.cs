using System.Text.Json.Nodes;
using Federation.Ingest.State;
using Federation.Protocol.RoomVersions;

namespace Federation.Local.Events;

/// <summary>
/// An event prepared on the current room DAG but not yet hashed or signed: its JSON (prev and auth events, depth,
/// timestamp filled in) and the state before it. A local event is sealed from it; a make_join answer sends it as the
/// template.
/// </summary>
/// <param name="Json">The unsigned event (no <c>hashes</c>, <c>signatures</c> or, for v1/v2, <c>event_id</c>).</param>
/// <param name="Version">The room's version.</param>
/// <param name="StateBefore">The resolution of the states after its prev events.</param>
/// <param name="PrevEvents">Its prev event ids.</param>
public sealed record EventDraft(JsonObject Json, RoomVersion Version, RoomState StateBefore, IReadOnlyList<string> PrevEvents);
