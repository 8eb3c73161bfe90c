namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// Which of a room's events take part: all (both bounds null), or those whose <c>origin_server_ts</c> lies in
/// [<see cref="FromTs"/>, <see cref="UntilTs"/>), in milliseconds since the Unix epoch. Both sides must use the same
/// scope, so the initiator sends it with every message.
/// </summary>
public sealed record ReconcileScope(long? FromTs, long? UntilTs)
{
    public static ReconcileScope All { get; } = new(null, null);

    public static ReconcileScope Window(long fromTs, long untilTs) =>
        fromTs <= untilTs ? new(fromTs, untilTs) : throw new ArgumentException("The window ends before it starts", nameof(untilTs));

    public bool Contains(long originServerTs) => (FromTs is not { } from || originServerTs >= from) && (UntilTs is not { } until || originServerTs < until);
}
