namespace Federation.Ingest.Gaps;

/// <summary>
/// Closes a gap too large for one <c>/get_missing_events</c> (the answer came back full and still does not reach what
/// we hold) by other means than fetching the state at the missing prev events, storing the events of the gap through
/// the ingest pipeline. Called before the room is locked; whatever it leaves open takes the hole path.
/// </summary>
public interface ILargeGapFiller
{
    /// <summary>
    /// Brings in the events of <paramref name="roomId"/> that <paramref name="origin"/> holds and we lack, with
    /// <c>origin_server_ts</c> in <c>[<paramref name="fromTs"/>, <paramref name="untilTs"/>)</c>.
    /// </summary>
    /// <returns>Whether any event was stored.</returns>
    Task<bool> FillAsync(string origin, string roomId, long fromTs, long untilTs, CancellationToken cancellationToken);
}
