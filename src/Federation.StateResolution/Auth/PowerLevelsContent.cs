using System.Runtime.CompilerServices;
using System.Text.Json;
using Federation.Protocol.Events;

namespace Federation.StateResolution.Auth;

/// <summary>
/// The content of an <c>m.room.power_levels</c> event, parsed once per event and cached. Values follow Synapse's
/// reading (<see cref="PythonInt"/>); an entry whose value cannot be read as a number is recorded as malformed.
/// </summary>
internal sealed class PowerLevelsContent
{
    internal static readonly string[] TopLevelNames = ["users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"];

    private static readonly ConditionalWeakTable<Pdu, PowerLevelsContent> Cache = [];

    private readonly long?[] _topLevel = new long?[TopLevelNames.Length];

    private PowerLevelsContent()
    {
    }

    public const int UsersDefault = 0;
    public const int EventsDefault = 1;
    public const int StateDefault = 2;
    public const int Ban = 3;
    public const int Redact = 4;
    public const int Kick = 5;
    public const int Invite = 6;

    /// <summary><c>users</c>: user id → level (entries with null values are left out, as Synapse's <c>.get</c> does).</summary>
    public Dictionary<string, long> Users { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Events { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Notifications { get; } = new(StringComparer.Ordinal);

    /// <summary>Some level (top-level or in <c>users</c>, <c>events</c>, <c>notifications</c>) is present with a null value.</summary>
    public bool HasNullEntries { get; private set; }

    /// <summary>Some value is present but cannot be read as a number (Synapse fails on these).</summary>
    public bool HasMalformedValues { get; private set; }

    /// <summary>A <c>users</c> key is not a user id.</summary>
    public bool HasInvalidUserIds { get; private set; }

    /// <summary>Every level is a JSON integer and the maps are objects (required from room version 10).</summary>
    public bool AllIntegers { get; private set; } = true;

    public long? TopLevel(int index) => _topLevel[index];

    public static PowerLevelsContent Of(Pdu pdu) => Cache.GetValue(pdu, static p => Parse(p.Content));

    internal static PowerLevelsContent Parse(JsonElement content)
    {
        var result = new PowerLevelsContent();
        if (content.ValueKind != JsonValueKind.Object)
        {
            return result;
        }

        foreach (var property in content.EnumerateObject())
        {
            var index = Array.IndexOf(TopLevelNames, property.Name);
            if (index >= 0)
            {
                if (!PythonInt.IsStrictInteger(property.Value))
                {
                    result.AllIntegers = false;
                }

                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    result.HasNullEntries = true;
                    continue;
                }

                if (PythonInt.TryRead(property.Value, out var level))
                {
                    result._topLevel[index] = level;
                }
                else
                {
                    result.HasMalformedValues = true;
                }

                continue;
            }

            var map = property.Name switch
            {
                "users" => result.Users,
                "events" => result.Events,
                "notifications" => result.Notifications,
                _ => null,
            };
            if (map is null)
            {
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                result.AllIntegers = false;
                if (property.Value.ValueKind != JsonValueKind.Null)
                {
                    result.HasMalformedValues = true;
                }

                continue;
            }

            foreach (var entry in property.Value.EnumerateObject())
            {
                if (!PythonInt.IsStrictInteger(entry.Value))
                {
                    result.AllIntegers = false;
                }

                if (ReferenceEquals(map, result.Users) && !IsUserIdForPowerLevels(entry.Name))
                {
                    result.HasInvalidUserIds = true;
                }

                if (entry.Value.ValueKind == JsonValueKind.Null)
                {
                    result.HasNullEntries = true;
                    continue;
                }

                if (PythonInt.TryRead(entry.Value, out var level))
                {
                    map[entry.Name] = level;
                }
                else
                {
                    result.HasMalformedValues = true;
                }
            }
        }

        return result;
    }

    /// <summary>Synapse's <c>UserID.from_string</c>: a leading <c>@</c> and a <c>:</c> separating a server name.</summary>
    private static bool IsUserIdForPowerLevels(string id) => id.Length > 1 && id[0] == '@' && id.IndexOf(':', 1) > 0;
}
