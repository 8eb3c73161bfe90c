using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;

namespace Federation.StateResolution.Auth;

/// <summary>
/// The auth-relevant fields of one event: whose member events the auth rules look at, and which third-party invite.
/// Computed from the event's type, sender, state key and content, so it works for events not yet built (auth-event
/// selection of a draft).
/// </summary>
internal readonly struct AuthKeys
{
    private AuthKeys(string sender, string? target, string? membership, string? thirdPartyToken, string? authoriser)
    {
        Sender = sender;
        Target = target;
        Membership = membership;
        ThirdPartyToken = thirdPartyToken;
        Authoriser = authoriser;
    }

    public string Sender { get; }

    /// <summary>The member event's state key (its target); <c>null</c> for other events.</summary>
    public string? Target { get; }

    /// <summary><c>content.membership</c> of a member event (when it is a string).</summary>
    public string? Membership { get; }

    /// <summary><c>content.third_party_invite.signed.token</c> of an invite, when present.</summary>
    public string? ThirdPartyToken { get; }

    /// <summary><c>content.join_authorised_via_users_server</c> of a join in versions with restricted rooms.</summary>
    public string? Authoriser { get; }

    public bool IsMember => Target is not null;

    public static AuthKeys Of(Pdu pdu) => Of(pdu.RoomVersion, pdu.Type, pdu.Sender, pdu.StateKey, pdu.Content);

    public static AuthKeys Of(RoomVersion version, string type, string sender, string? stateKey, JsonElement content)
    {
        if (type != EventTypes.Member || stateKey is null)
        {
            return new AuthKeys(sender, null, null, null, null);
        }

        var membership = StringProperty(content, "membership");
        string? token = null;
        if (membership == "invite"
            && content.ValueKind == JsonValueKind.Object
            && content.TryGetProperty("third_party_invite", out var invite)
            && invite.ValueKind == JsonValueKind.Object
            && invite.TryGetProperty("signed", out var signed))
        {
            token = StringProperty(signed, "token");
        }

        var authoriser = version.AllowsRestrictedJoins && membership == "join"
            ? StringProperty(content, "join_authorised_via_users_server")
            : null;
        return new AuthKeys(sender, stateKey, membership, token, authoriser);
    }

    /// <summary>
    /// The (type, state_key) pairs the auth rules may read for this event, in a fixed order: create (when
    /// <paramref name="includeCreate"/>), power levels, sender's member event, join rules, target's member event,
    /// third-party invite, authoriser's member event. Duplicates are left out.
    /// </summary>
    public void AddSelection(List<StateKey> keys, bool includeCreate)
    {
        if (includeCreate)
        {
            keys.Add(new StateKey(EventTypes.Create, ""));
        }

        keys.Add(new StateKey(EventTypes.PowerLevels, ""));
        keys.Add(new StateKey(EventTypes.Member, Sender));
        if (!IsMember)
        {
            return;
        }

        if (Membership is "join" or "invite" or "knock")
        {
            keys.Add(new StateKey(EventTypes.JoinRules, ""));
        }

        AddDistinct(keys, new StateKey(EventTypes.Member, Target!));
        if (ThirdPartyToken is not null)
        {
            keys.Add(new StateKey(EventTypes.ThirdPartyInvite, ThirdPartyToken));
        }

        if (Authoriser is not null)
        {
            AddDistinct(keys, new StateKey(EventTypes.Member, Authoriser));
        }
    }

    /// <summary>Puts <paramref name="candidate"/> into every slot of <paramref name="state"/> whose key it has.</summary>
    public void Assign(ref AuthState state, Pdu candidate)
    {
        var stateKey = candidate.StateKey;
        if (stateKey is null)
        {
            return;
        }

        switch (candidate.Type)
        {
            case EventTypes.Create when stateKey.Length == 0:
                state.Create = candidate;
                break;
            case EventTypes.PowerLevels when stateKey.Length == 0:
                state.PowerLevels = candidate;
                break;
            case EventTypes.JoinRules when stateKey.Length == 0:
                state.JoinRules = candidate;
                break;
            case EventTypes.Member:
                if (stateKey == Sender)
                {
                    state.SenderMember = candidate;
                }

                if (stateKey == Target)
                {
                    state.TargetMember = candidate;
                }

                if (stateKey == Authoriser)
                {
                    state.AuthoriserMember = candidate;
                }

                break;
            case EventTypes.ThirdPartyInvite when stateKey == ThirdPartyToken:
                state.ThirdPartyInvite = candidate;
                break;
        }
    }

    private static void AddDistinct(List<StateKey> keys, StateKey key)
    {
        if (!keys.Contains(key))
        {
            keys.Add(key);
        }
    }

    private static string? StringProperty(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
