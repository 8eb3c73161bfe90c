using Federation.Protocol.Events;
using Federation.Storage.Dag;

namespace Federation.Local.Joins;

/// <summary>What a resident server's send_join answer proved, ready to store.</summary>
/// <param name="Outliers">The state and auth chain events that passed the checks, in auth order, each accepted or rejected by its own auth events.</param>
/// <param name="StateBefore">The state before the join: the accepted state events of the answer.</param>
/// <param name="Join">The join event (the resident's copy when it countersigned it).</param>
public sealed record VerifiedJoin(IReadOnlyList<EventToPersist> Outliers, IReadOnlyDictionary<StateSlot, string> StateBefore, Pdu Join);
