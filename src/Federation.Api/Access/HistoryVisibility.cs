namespace Federation.Api.Access;

/// <summary>
/// Whether a server may see an event (server-server API "history visibility" as Synapse applies it): visible when the
/// room's history visibility at the event is <c>world_readable</c> or <c>shared</c> (an unknown or missing value
/// counts as <c>shared</c>), or when one of the server's users was joined at the event, or invited while the
/// visibility is <c>invited</c>. An event the server may not see is served redacted, not omitted.
/// </summary>
public static class HistoryVisibility
{
    /// <param name="visibility"><c>content.history_visibility</c> of the state at the event, if any.</param>
    /// <param name="membershipsOfServersUsers">The memberships, at the event, of the requesting server's users.</param>
    public static bool ServerMaySee(string? visibility, IEnumerable<string?> membershipsOfServersUsers)
    {
        ArgumentNullException.ThrowIfNull(membershipsOfServersUsers);
        switch (visibility)
        {
            case "joined":
                return membershipsOfServersUsers.Any(m => m == "join");
            case "invited":
                return membershipsOfServersUsers.Any(m => m is "join" or "invite");
            default:
                // world_readable, shared, and anything unrecognised.
                return true;
        }
    }
}
