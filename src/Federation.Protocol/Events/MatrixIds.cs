namespace Federation.Protocol.Events;

/// <summary>Helpers for Matrix identifiers of the form <c>&lt;sigil&gt;&lt;localpart&gt;:&lt;server name&gt;</c>.</summary>
public static class MatrixIds
{
    /// <summary>The server name of a user, room alias, or v1/v2 event or room id; <c>null</c> when there is none.</summary>
    public static string? ServerNameOf(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < id.Length - 1 ? id[(colon + 1)..] : null;
    }

    /// <summary>Whether <paramref name="userId"/> looks like <c>@localpart:server</c>.</summary>
    public static bool IsUserId(string? userId) =>
        userId is { Length: > 2 } && userId[0] == '@' && ServerNameOf(userId) is not null;
}
