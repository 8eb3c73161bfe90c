using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Federation.Resync.Divergence;

/// <summary>
/// Divergence reports in the database (<c>migrations/0029_divergence_reports.sql</c>): each probe's report is added and
/// the room's reports beyond the newest <see cref="ResyncOptions.DivergenceReportsPerRoom"/> are deleted in the same
/// batch, so the table stays bounded by rooms × that cap.
/// </summary>
public sealed class DivergenceReportStore(NpgsqlDataSource dataSource, IOptions<ResyncOptions> options)
{
    private const string Columns = "report_id, room_id, probed_ts, class, first_divergent_event_id, repair_outcome, report_json";

    private const string InsertSql =
        """
        INSERT INTO divergence_reports (room_id, probed_ts, class, first_divergent_event_id, repair_outcome, report_json)
        VALUES ($1, $2, $3, $4, $5, $6)
        """;

    private const string TrimSql =
        """
        DELETE FROM divergence_reports
        WHERE room_id = $1
          AND report_id NOT IN (SELECT report_id FROM divergence_reports WHERE room_id = $1 ORDER BY report_id DESC LIMIT $2)
        """;

    private const string SelectSql = $"SELECT {Columns} FROM divergence_reports WHERE room_id = $1 ORDER BY report_id DESC LIMIT $2";

    /// <summary>Adds <paramref name="report"/> and forgets the room's oldest reports beyond the cap.</summary>
    public async Task RecordAsync(DivergenceReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await using var batch = dataSource.CreateBatch();
        var insert = new NpgsqlBatchCommand(InsertSql);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = report.RoomId });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = report.ProbedAt.ToUnixTimeMilliseconds() });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = DivergenceMetrics.Name(report.Verdict.Class) });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)report.Bisection?.FirstDivergent ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter
        {
            Value = report.Repair is { } repair ? DivergenceMetrics.Name(repair.Outcome) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Text,
        });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = DivergenceReportJson.Of(report).ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        batch.BatchCommands.Add(insert);
        var trim = new NpgsqlBatchCommand(TrimSql);
        trim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = report.RoomId });
        trim.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Value.DivergenceReportsPerRoom });
        batch.BatchCommands.Add(trim);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The room's newest report, or null when it was never probed.</summary>
    public async Task<StoredDivergenceReport?> LatestAsync(string roomId, CancellationToken cancellationToken) =>
        await HistoryAsync(roomId, 1, cancellationToken).ConfigureAwait(false) is [var newest] ? newest : null;

    /// <summary>The room's newest <paramref name="limit"/> reports, newest first.</summary>
    public async Task<IReadOnlyList<StoredDivergenceReport>> HistoryAsync(string roomId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SelectSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = roomId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var reports = new List<StoredDivergenceReport>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reports.Add(new StoredDivergenceReport(
                reader.GetInt64(0),
                reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                JsonNode.Parse(reader.GetString(6))!.AsObject()));
        }

        return reports;
    }
}
