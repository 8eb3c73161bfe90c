namespace Federation.Protocol.Events;

/// <summary>Event types the protocol core and the auth rules refer to.</summary>
public static class EventTypes
{
    public const string Create = "m.room.create";
    public const string Member = "m.room.member";
    public const string PowerLevels = "m.room.power_levels";
    public const string JoinRules = "m.room.join_rules";
    public const string HistoryVisibility = "m.room.history_visibility";
    public const string ThirdPartyInvite = "m.room.third_party_invite";
    public const string Aliases = "m.room.aliases";
    public const string Redaction = "m.room.redaction";
    public const string ServerAcl = "m.room.server_acl";
    public const string Message = "m.room.message";
    public const string Name = "m.room.name";
    public const string Topic = "m.room.topic";
}
