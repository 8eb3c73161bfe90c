using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Federation.Client.Discovery;

namespace Federation.Ingest.Access;

/// <summary>
/// The rules of a room's <c>m.room.server_acl</c> state event (spec "Server Access Control Lists"): the server name
/// without its port is checked against <c>deny</c> first, then <c>allow</c> (globs with <c>*</c> and <c>?</c>, compared
/// case-insensitively as Synapse does); IP literals are refused when <c>allow_ip_literals</c> is false. A missing
/// <c>allow</c> list allows nobody. A room without the event allows everybody.
/// </summary>
public sealed class ServerAcl
{
    private readonly Regex[] _allow;
    private readonly Regex[] _deny;
    private readonly bool _allowIpLiterals;

    private ServerAcl(Regex[] allow, Regex[] deny, bool allowIpLiterals)
    {
        _allow = allow;
        _deny = deny;
        _allowIpLiterals = allowIpLiterals;
    }

    /// <summary>The ACL of a room without an <c>m.room.server_acl</c> event: every server is allowed.</summary>
    public static ServerAcl AllowAll { get; } = new([Glob("*")], [], allowIpLiterals: true);

    /// <summary>Reads the content of an <c>m.room.server_acl</c> event; malformed entries are ignored.</summary>
    public static ServerAcl FromContent(JsonElement content)
    {
        if (content.ValueKind != JsonValueKind.Object)
        {
            return new ServerAcl([], [], allowIpLiterals: true);
        }

        var allowIpLiterals = !content.TryGetProperty("allow_ip_literals", out var literals) || literals.ValueKind != JsonValueKind.False;
        return new ServerAcl(Globs(content, "allow"), Globs(content, "deny"), allowIpLiterals);
    }

    /// <summary>Whether <paramref name="serverName"/> may take part in the room.</summary>
    public bool Allows(string serverName)
    {
        var host = ServerNameParts.TryParse(serverName, out var parts) ? parts.Host : serverName;
        if (!_allowIpLiterals && IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            return false;
        }

        return !_deny.Any(glob => glob.IsMatch(host)) && _allow.Any(glob => glob.IsMatch(host));
    }

    private static Regex[] Globs(JsonElement content, string name) =>
        content.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => Glob(e.GetString()!)).ToArray()
            : [];

    // Non-backtracking: a glob from a room's state must not be able to make matching slow.
    private static Regex Glob(string glob) =>
        new(
            "^" + Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking);
}
