using Npgsql;

namespace Federation.Local.Outbound;

/// <summary>
/// An event's rows for the outbound queue, prepared before it is stored: the servers it goes to, and the statement
/// that inserts their rows (null when there are none), to run in the transaction that stores the event.
/// </summary>
public sealed record OutboundRows(IReadOnlyList<string> Destinations, NpgsqlBatchCommand? Insert);
