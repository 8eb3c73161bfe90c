using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;

namespace Federation.Local.Rooms;

/// <summary>
/// <c>POST /createRoom</c>: the spec's sequence of initial events — create, the creator's join, power levels, the
/// preset's join rules, history visibility and guest access (unless <c>initial_state</c> sets them), the rest of
/// <c>initial_state</c>, name, topic, then the invites.
/// </summary>
public sealed class RoomCreator(LocalEventBuilder builder, RoomInvites invites)
{
    /// <summary>Creates the room; returns its id.</summary>
    public async Task<string> CreateAsync(string creator, CreateRoomRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = request.RoomVersion is null ? RoomVersion.Default : RoomVersion.Get(request.RoomVersion);
        var preset = RoomPreset.For(request.Preset, request.Visibility);
        var invitees = request.Invite.Distinct(StringComparer.Ordinal).Where(u => u != creator).ToArray();
        foreach (var invitee in invitees)
        {
            if (!MatrixIds.IsUserId(invitee))
            {
                throw new MatrixException(ErrorCode.InvalidParam, $"'{invitee}' is not a user id");
            }
        }

        var createEvent = await builder.CreateRoomAsync(version, creator, CreateContent(version, creator, request, preset, invitees), cancellationToken)
            .ConfigureAwait(false);
        var roomId = createEvent.RoomId;
        await Send(EventTypes.Member, creator, new JsonObject { ["membership"] = "join" }).ConfigureAwait(false);
        await Send(EventTypes.PowerLevels, "", PowerLevels(version, creator, request, preset, invitees)).ConfigureAwait(false);

        // A slot given twice is sent once, with the last content, in the place of its first mention (as Synapse's dict).
        var initial = new OrderedDictionary<(string Type, string StateKey), JsonObject>();
        foreach (var entry in request.InitialState)
        {
            initial[(entry.Type, entry.StateKey)] = entry.Content;
        }

        await SendPresetAsync(EventTypes.JoinRules, new JsonObject { ["join_rule"] = preset.JoinRule }).ConfigureAwait(false);
        await SendPresetAsync(EventTypes.HistoryVisibility, new JsonObject { ["history_visibility"] = preset.HistoryVisibility }).ConfigureAwait(false);
        if (preset.GuestAccess is not null)
        {
            await SendPresetAsync("m.room.guest_access", new JsonObject { ["guest_access"] = preset.GuestAccess }).ConfigureAwait(false);
        }

        foreach (var ((type, stateKey), content) in initial)
        {
            await Send(type, stateKey, content).ConfigureAwait(false);
        }

        if (request.Name is not null)
        {
            await Send(EventTypes.Name, "", new JsonObject { ["name"] = request.Name }).ConfigureAwait(false);
        }

        if (request.Topic is not null)
        {
            await Send(EventTypes.Topic, "", new JsonObject { ["topic"] = request.Topic }).ConfigureAwait(false);
        }

        foreach (var invitee in invitees)
        {
            await invites.InviteAsync(roomId, creator, invitee, request.IsDirect, cancellationToken).ConfigureAwait(false);
        }

        return roomId;

        Task<Pdu> Send(string type, string stateKey, JsonObject content) =>
            builder.CreateAsync(roomId, creator, type, stateKey, content, cancellationToken);

        // A preset event gives way to an initial_state entry for the same slot, which is then sent in its place.
        async Task SendPresetAsync(string type, JsonObject content)
        {
            if (initial.Remove((type, ""), out var given))
            {
                content = given;
            }

            await Send(type, "", content).ConfigureAwait(false);
        }
    }

    private static JsonObject CreateContent(RoomVersion version, string creator, CreateRoomRequest request, RoomPreset preset, string[] invitees)
    {
        var content = request.CreationContent?.DeepClone().AsObject() ?? [];
        content["room_version"] = version.Id;
        if (!version.CreatorIsCreateEventSender)
        {
            content["creator"] = creator;
        }

        if (version.HasPrivilegedCreators && preset.InviteesAreAdmins && invitees.Length > 0)
        {
            // From room version 12 the creators hold the room; a trusted private chat makes its invitees creators too,
            // next to (not instead of) any additional creators the client named, each once.
            IEnumerable<string> given = content["additional_creators"] switch
            {
                null => [],
                JsonArray list when list.All(i => i is JsonValue v && v.TryGetValue<string>(out _)) => list.Select(i => i!.GetValue<string>()),
                _ => throw new MatrixException(ErrorCode.BadJson, "'creation_content.additional_creators' must be a list of user ids"),
            };
            content["additional_creators"] = new JsonArray([.. given.Concat(invitees).Distinct(StringComparer.Ordinal).Select(i => (JsonNode)i)]);
        }

        return content;
    }

    /// <summary>Synapse's default power levels, the preset's invite level and admins, then the client's override.</summary>
    private static JsonObject PowerLevels(RoomVersion version, string creator, CreateRoomRequest request, RoomPreset preset, string[] invitees)
    {
        var users = new JsonObject();
        if (!version.HasPrivilegedCreators)
        {
            // Creators of room version 12 rooms have unlimited power and must not be listed.
            users[creator] = 100;
            if (preset.InviteesAreAdmins)
            {
                foreach (var invitee in invitees)
                {
                    users[invitee] = 100;
                }
            }
        }

        var content = new JsonObject
        {
            ["users"] = users,
            ["users_default"] = 0,
            ["events"] = new JsonObject
            {
                ["m.room.name"] = 50,
                ["m.room.power_levels"] = 100,
                ["m.room.history_visibility"] = 100,
                ["m.room.canonical_alias"] = 50,
                ["m.room.avatar"] = 50,
                // Room version 12 (MSC4289, as Synapse): upgrading is kept to the creators, above the admins' 100.
                ["m.room.tombstone"] = version.HasPrivilegedCreators ? 150 : 100,
                ["m.room.server_acl"] = 100,
                ["m.room.encryption"] = 100,
            },
            ["events_default"] = 0,
            ["state_default"] = 50,
            ["ban"] = 50,
            ["kick"] = 50,
            ["redact"] = 50,
            ["invite"] = preset.InvitePowerLevel,
        };
        foreach (var (key, value) in request.PowerLevelContentOverride ?? [])
        {
            content[key] = value?.DeepClone();
        }

        return content;
    }
}
