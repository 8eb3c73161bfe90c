namespace Federation.Storage.Dag;

/// <summary>A place in room state: an event type and a state key.</summary>
/// <param name="Type">The event type, e.g. <c>m.room.member</c>.</param>
/// <param name="StateKey">The state key (a user id for members, usually empty otherwise).</param>
public readonly record struct StateSlot(string Type, string StateKey)
{
    public override string ToString() => $"({Type}, '{StateKey}')";
}
