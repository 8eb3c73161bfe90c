using Federation.Protocol.Events;

namespace Federation.StateResolution.Auth;

/// <summary>
/// The part of room state the auth rules read for one event: the create event, power levels, join rules, and the
/// member events of the sender, the target and the restricted-join authoriser, plus the third-party invite named by
/// the event's token. Filling named slots instead of a dictionary keeps the hot loop of state resolution allocation-free.
/// </summary>
public struct AuthState
{
    public Pdu? Create { get; set; }
    public Pdu? PowerLevels { get; set; }
    public Pdu? JoinRules { get; set; }
    public Pdu? SenderMember { get; set; }
    public Pdu? TargetMember { get; set; }
    public Pdu? AuthoriserMember { get; set; }
    public Pdu? ThirdPartyInvite { get; set; }

    /// <summary>
    /// Builds the auth state of <paramref name="pdu"/> from a list of events (for example its own auth events, or the
    /// state before it); where two events have the same key, the later one wins, as in Synapse's dictionary.
    /// </summary>
    public static AuthState From(Pdu pdu, IEnumerable<Pdu> events)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(events);
        var keys = AuthKeys.Of(pdu);
        var state = default(AuthState);
        foreach (var candidate in events)
        {
            keys.Assign(ref state, candidate);
        }

        return state;
    }
}
