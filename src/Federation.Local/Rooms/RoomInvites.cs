using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Client.Http;
using Federation.Client.Keys;
using Federation.Local.Events;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;

namespace Federation.Local.Rooms;

/// <summary>
/// Invites: a local invitee's invite is an ordinary local event; a remote invitee's server must sign the invite first
/// (<c>PUT /_matrix/federation/v2/invite</c>), then it is stored and sent to the room like any other event.
/// </summary>
public sealed class RoomInvites(
    LocalEventBuilder builder,
    LocalRooms rooms,
    DagStore store,
    FederationClient client,
    IRemoteServerKeys keys,
    ServerIdentity identity)
{
    /// <summary>State events a remote invitee is shown before joining (the spec's recommended stripped state).</summary>
    private static readonly string[] StrippedStateTypes =
        [EventTypes.Create, EventTypes.JoinRules, EventTypes.Name, "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", EventTypes.Topic];

    private readonly Countersignatures _countersignatures = new(keys);

    /// <summary>Invites <paramref name="invitee"/>; returns the invite event.</summary>
    /// <exception cref="MatrixException">403 when the rules refuse it or the invitee's server declines; 502-style M_UNKNOWN when it cannot be reached.</exception>
    public async Task<Pdu> InviteAsync(string roomId, string inviter, string invitee, bool isDirect, CancellationToken cancellationToken)
    {
        if (!MatrixIds.IsUserId(invitee))
        {
            throw new MatrixException(ErrorCode.InvalidParam, $"'{invitee}' is not a user id");
        }

        var content = new JsonObject { ["membership"] = "invite" };
        if (isDirect)
        {
            content["is_direct"] = true;
        }

        var server = MatrixIds.ServerNameOf(invitee)!;
        if (server == identity.ServerName)
        {
            return await builder.CreateAsync(roomId, inviter, EventTypes.Member, invitee, content, cancellationToken).ConfigureAwait(false);
        }

        var prepared = await builder.PrepareAsync(roomId, inviter, EventTypes.Member, invitee, content, cancellationToken).ConfigureAwait(false);
        var countersigned = await AskInviteeServerAsync(server, prepared, cancellationToken).ConfigureAwait(false);
        await builder.PersistPreparedAsync(countersigned, cancellationToken).ConfigureAwait(false);
        return countersigned;
    }

    private async Task<Pdu> AskInviteeServerAsync(string server, Pdu invite, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["event"] = JsonNode.Parse(invite.Json.GetRawText()),
            ["room_version"] = invite.RoomVersion.Id,
            ["invite_room_state"] = await StrippedStateAsync(invite.RoomId, cancellationToken).ConfigureAwait(false),
        };
        using var response = await client.SendAsync(
            server,
            HttpMethod.Put,
            $"/_matrix/federation/v2/invite/{Uri.EscapeDataString(invite.RoomId)}/{Uri.EscapeDataString(invite.EventId)}",
            JsonSigning.ToElement(body),
            sign: true,
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw new MatrixException(
                response.StatusCode is >= 400 and < 500 ? ErrorCode.Forbidden : ErrorCode.Unknown,
                "The invitee's server did not accept the invite: " + response.Failure,
                response.StatusCode is >= 400 and < 500 ? 403 : 502);
        }

        // Our prepared invite is what is stored and sent; of the answer only the invitee server's signature is taken,
        // once it verifies over our event (in room versions 1 and 2 the id does not cover the content, so the answer
        // could be another event under our id). A malformed answer is that server failing.
        var answer = response.Body!.RootElement;
        if (answer.ValueKind != JsonValueKind.Object
            || !answer.TryGetProperty("event", out var signedJson)
            || await _countersignatures.AddAsync(invite, signedJson, server, cancellationToken).ConfigureAwait(false) is not { } signed)
        {
            throw new MatrixException(ErrorCode.Unknown, $"{server} answered the invite without its signature of the invite", 502);
        }

        return signed;
    }

    private async Task<JsonArray> StrippedStateAsync(string roomId, CancellationToken cancellationToken)
    {
        var current = await rooms.CurrentStateAsync(roomId, cancellationToken).ConfigureAwait(false);
        var ids = StrippedStateTypes.Select(type => current[type, ""]).OfType<string>().ToArray();
        var events = await store.GetEventsAsync(roomId, ids, cancellationToken).ConfigureAwait(false);
        return new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
        {
            ["type"] = e.Pdu.Type,
            ["state_key"] = e.Pdu.StateKey,
            ["sender"] = e.Pdu.Sender,
            ["content"] = JsonNode.Parse(e.Pdu.Content.GetRawText()),
        })]);
    }
}
