using Federation.Protocol.Errors;

namespace Federation.Local.Rooms;

/// <summary>The state a createRoom preset sets (spec "Room creation" presets, with Synapse's guest access choice).</summary>
/// <param name="JoinRule">The join rule.</param>
/// <param name="HistoryVisibility">The history visibility.</param>
/// <param name="GuestAccess"><c>can_join</c>, or null to send no guest access event.</param>
/// <param name="InvitePowerLevel">The power needed to invite.</param>
/// <param name="InviteesAreAdmins">Whether invitees get the creator's power (trusted private chat).</param>
public sealed record RoomPreset(string JoinRule, string HistoryVisibility, string? GuestAccess, int InvitePowerLevel, bool InviteesAreAdmins)
{
    public static RoomPreset PrivateChat { get; } = new("invite", "shared", "can_join", 0, false);

    public static RoomPreset TrustedPrivateChat { get; } = new("invite", "shared", "can_join", 0, true);

    public static RoomPreset PublicChat { get; } = new("public", "shared", null, 50, false);

    /// <summary>The preset named in the request, or the one its visibility implies.</summary>
    public static RoomPreset For(string? preset, string? visibility) => preset switch
    {
        "private_chat" => PrivateChat,
        "trusted_private_chat" => TrustedPrivateChat,
        "public_chat" => PublicChat,
        null => visibility == "public" ? PublicChat : PrivateChat,
        _ => throw new MatrixException(ErrorCode.InvalidParam, $"Unknown preset '{preset}'"),
    };
}
