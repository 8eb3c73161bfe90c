using System.Runtime.CompilerServices;
using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;

namespace Federation.StateResolution.Auth;

/// <summary>Who created a room, per room version (read from the create event, cached per event).</summary>
public static class RoomCreators
{
    /// <summary>
    /// The power of a creator in rooms with privileged creators (v12): above every possible integer level. Synapse uses
    /// 2^53, one more than the largest canonical-JSON integer.
    /// </summary>
    public const long PrivilegedCreatorPower = 1L << 53;

    private static readonly ConditionalWeakTable<Pdu, HashSet<string>> Privileged = [];

    /// <summary>
    /// The single "room creator" of versions 1–11 (and the create sender of v12): <c>content.creator</c> before v11,
    /// the create event's sender from v11. <c>null</c> when the create event names none.
    /// </summary>
    public static string? Creator(Pdu create)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (create.RoomVersion.CreatorIsCreateEventSender)
        {
            return create.Sender;
        }

        return create.Content.ValueKind == JsonValueKind.Object
            && create.Content.TryGetProperty("creator", out var creator)
            && creator.ValueKind == JsonValueKind.String
            ? creator.GetString()
            : null;
    }

    /// <summary>Whether <paramref name="userId"/> is one of the privileged creators (sender or <c>additional_creators</c>) of a v12 room.</summary>
    public static bool IsPrivilegedCreator(Pdu create, string userId)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (!HasPrivilegedCreators(create.RoomVersion))
        {
            return false;
        }

        return string.Equals(create.Sender, userId, StringComparison.Ordinal)
            || Privileged.GetValue(create, static c => AdditionalCreators(c)).Contains(userId);
    }

    /// <summary>The privileged creators of a v12 room: the create sender and <c>additional_creators</c>.</summary>
    public static IReadOnlySet<string> PrivilegedCreators(Pdu create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var result = new HashSet<string>(Privileged.GetValue(create, static c => AdditionalCreators(c)), StringComparer.Ordinal) { create.Sender };
        return result;
    }

    internal static bool HasPrivilegedCreators(RoomVersion version) => version.HasPrivilegedCreators;

    private static HashSet<string> AdditionalCreators(Pdu create)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (create.Content.ValueKind == JsonValueKind.Object
            && create.Content.TryGetProperty("additional_creators", out var list)
            && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    set.Add(item.GetString()!);
                }
            }
        }

        return set;
    }
}
