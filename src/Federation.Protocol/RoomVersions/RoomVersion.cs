using System.Collections.Frozen;
using Federation.Protocol.Errors;

namespace Federation.Protocol.RoomVersions;

/// <summary>
/// The rules of one room version, expressed as capabilities so that code asks what a room can do
/// (<c>version.AllowsKnocking</c>) instead of comparing version strings.
/// </summary>
public sealed record RoomVersion
{
    private RoomVersion(string id) => Id = id;

    /// <summary>The version identifier as it appears in <c>m.room.create</c> (<c>"1"</c> … <c>"12"</c>).</summary>
    public string Id { get; private init; }

    public required StateResolutionAlgorithm StateResolution { get; init; }

    public required EventIdFormat EventIdFormat { get; init; }

    /// <summary><c>prev_events</c>/<c>auth_events</c> are <c>[id, {hashes}]</c> pairs rather than plain ids (v1, v2).</summary>
    public bool UsesEventReferencePairs => EventIdFormat == EventIdFormat.OriginSupplied;

    /// <summary>Canonical JSON is enforced: no floats, integers within ±(2^53−1) (v6+).</summary>
    public required bool EnforcesCanonicalJson { get; init; }

    /// <summary>A signing key must be valid at the event's <c>origin_server_ts</c> (v5+).</summary>
    public required bool EnforcesKeyValidity { get; init; }

    /// <summary>The auth rules contain the special case for <c>m.room.aliases</c> (v1–v5).</summary>
    public required bool HasAliasesAuthRule { get; init; }

    /// <summary>The auth rules check <c>m.room.redaction</c> events (v1, v2); later versions check redactions when applying them.</summary>
    public required bool HasRedactionAuthRule { get; init; }

    /// <summary>Power-level changes to <c>notifications</c> are checked like <c>events</c> (v6+).</summary>
    public required bool LimitsNotificationsPowerLevels { get; init; }

    /// <summary>The <c>knock</c> membership and join rule exist (v7+).</summary>
    public required bool AllowsKnocking { get; init; }

    /// <summary>The <c>restricted</c> join rule with <c>join_authorised_via_users_server</c> exists (v8+).</summary>
    public required bool AllowsRestrictedJoins { get; init; }

    /// <summary>The <c>knock_restricted</c> join rule exists (v10+).</summary>
    public required bool AllowsKnockRestrictedJoins { get; init; }

    /// <summary>Power levels must be JSON integers; strings and floats reject the event (v10+).</summary>
    public required bool RequiresIntegerPowerLevels { get; init; }

    /// <summary>
    /// The room creator is the create event's <c>sender</c> and <c>content.creator</c> is no longer required (v11+);
    /// earlier versions take the creator from <c>content.creator</c>.
    /// </summary>
    public required bool CreatorIsCreateEventSender { get; init; }

    /// <summary>
    /// Room id = <c>!</c> + the create event's reference hash; the create event has no <c>room_id</c> and is never
    /// listed in <c>auth_events</c> but implied by the room id (v12).
    /// </summary>
    public required bool RoomIdIsCreateEventHash { get; init; }

    /// <summary>Creators (sender and <c>additional_creators</c>) have infinite power and may not appear in power-level users (v12).</summary>
    public required bool HasPrivilegedCreators { get; init; }

    /// <summary>Redaction keeps <c>m.room.aliases</c> content <c>aliases</c> (v1–v5).</summary>
    public required bool RedactionKeepsAliases { get; init; }

    /// <summary>Redaction keeps <c>allow</c> of <c>m.room.join_rules</c> (v8+).</summary>
    public required bool RedactionKeepsJoinRulesAllow { get; init; }

    /// <summary>Redaction keeps <c>join_authorised_via_users_server</c> of member events (v9+).</summary>
    public required bool RedactionKeepsJoinAuthorisedVia { get; init; }

    /// <summary>
    /// The v11 redaction algorithm: top-level <c>origin</c>, <c>membership</c> and <c>prev_state</c> are no longer kept;
    /// create events keep their whole content; redactions keep <c>redacts</c>; power levels keep <c>invite</c>;
    /// member events keep <c>third_party_invite.signed</c> (v11+).
    /// </summary>
    public required bool UsesV11Redaction { get; init; }

    /// <summary>The redacted event id is in <c>content.redacts</c> rather than top-level <c>redacts</c> (v11+).</summary>
    public bool RedactsInContent => UsesV11Redaction;

    private static readonly RoomVersion V1 = new("1")
    {
        StateResolution = StateResolutionAlgorithm.V1,
        EventIdFormat = EventIdFormat.OriginSupplied,
        EnforcesCanonicalJson = false,
        EnforcesKeyValidity = false,
        HasAliasesAuthRule = true,
        HasRedactionAuthRule = true,
        LimitsNotificationsPowerLevels = false,
        AllowsKnocking = false,
        AllowsRestrictedJoins = false,
        AllowsKnockRestrictedJoins = false,
        RequiresIntegerPowerLevels = false,
        CreatorIsCreateEventSender = false,
        RoomIdIsCreateEventHash = false,
        HasPrivilegedCreators = false,
        RedactionKeepsAliases = true,
        RedactionKeepsJoinRulesAllow = false,
        RedactionKeepsJoinAuthorisedVia = false,
        UsesV11Redaction = false,
    };

    private static readonly RoomVersion V2 = V1.As("2") with { StateResolution = StateResolutionAlgorithm.V2 };
    private static readonly RoomVersion V3 = V2.As("3") with { EventIdFormat = EventIdFormat.ReferenceHashStandardBase64, HasRedactionAuthRule = false };
    private static readonly RoomVersion V4 = V3.As("4") with { EventIdFormat = EventIdFormat.ReferenceHashUrlSafeBase64 };
    private static readonly RoomVersion V5 = V4.As("5") with { EnforcesKeyValidity = true };

    private static readonly RoomVersion V6 = V5.As("6") with
    {
        EnforcesCanonicalJson = true,
        HasAliasesAuthRule = false,
        LimitsNotificationsPowerLevels = true,
        RedactionKeepsAliases = false,
    };

    private static readonly RoomVersion V7 = V6.As("7") with { AllowsKnocking = true };
    private static readonly RoomVersion V8 = V7.As("8") with { AllowsRestrictedJoins = true, RedactionKeepsJoinRulesAllow = true };
    private static readonly RoomVersion V9 = V8.As("9") with { RedactionKeepsJoinAuthorisedVia = true };
    private static readonly RoomVersion V10 = V9.As("10") with { AllowsKnockRestrictedJoins = true, RequiresIntegerPowerLevels = true };
    private static readonly RoomVersion V11 = V10.As("11") with { CreatorIsCreateEventSender = true, UsesV11Redaction = true };

    private static readonly RoomVersion V12 = V11.As("12") with
    {
        StateResolution = StateResolutionAlgorithm.V21,
        RoomIdIsCreateEventHash = true,
        HasPrivilegedCreators = true,
    };

    private static readonly FrozenDictionary<string, RoomVersion> Known =
        new[] { V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12 }.ToFrozenDictionary(v => v.Id, StringComparer.Ordinal);

    /// <summary>Every room version this server implements, oldest first.</summary>
    public static IReadOnlyList<RoomVersion> All { get; } = [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12];

    /// <summary>The version new rooms are created with when none is asked for.</summary>
    public static RoomVersion Default => V10;

    /// <summary>Looks a room version up by its identifier.</summary>
    public static bool TryGet(string? id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RoomVersion? version)
    {
        version = null;
        return id is not null && Known.TryGetValue(id, out version);
    }

    /// <summary>Looks a room version up, refusing unknown ones with <c>M_UNSUPPORTED_ROOM_VERSION</c>.</summary>
    /// <exception cref="MatrixException">The version is not one this server implements.</exception>
    public static RoomVersion Get(string? id) =>
        TryGet(id, out var version)
            ? version
            : throw new MatrixException(ErrorCode.UnsupportedRoomVersion, $"Room version '{id}' is not supported");

    private RoomVersion As(string id) => this with { Id = id };

    public override string ToString() => Id;
}
