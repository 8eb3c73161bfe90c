using System.Text.Json.Nodes;
using Npgsql;

namespace Federation.Ingest.Benchmarks;

/// <summary>
/// Statements per event from <c>pg_stat_statements</c>, when the server has it loaded (<c>shared_preload_libraries</c>;
/// point <c>FEDERATION_TEST_POSTGRES</c> at such a server). The throwaway cluster does not load it, and the report is
/// then null. Planning time is zero unless <c>pg_stat_statements.track_planning</c> is on.
/// </summary>
public static class StatementProfile
{
    private const int Listed = 30;

    private const string ReadSql =
        """
        SELECT s.calls, s.total_exec_time, s.total_plan_time, s.rows, s.query
        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'
        ORDER BY s.total_exec_time + s.total_plan_time DESC
        """;

    /// <summary>Empties the statistics; false when the server does not collect them.</summary>
    public static async Task<bool> TryResetAsync(NpgsqlDataSource dataSource)
    {
        try
        {
            await using var create = dataSource.CreateCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            await create.ExecuteNonQueryAsync();
            await using var reset = dataSource.CreateCommand("SELECT pg_stat_statements_reset()");
            await reset.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    /// <summary>Calls, execution and planning time per event, in all and for the costliest statements.</summary>
    public static async Task<JsonObject> ReadAsync(NpgsqlDataSource dataSource, int events)
    {
        await using var command = dataSource.CreateCommand(ReadSql);
        await using var reader = await command.ExecuteReaderAsync();
        var statements = new JsonArray();
        long calls = 0;
        double executing = 0;
        double planned = 0;
        while (await reader.ReadAsync())
        {
            var (statementCalls, execution, planning, rows, query) =
                (reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetString(4));
            calls += statementCalls;
            executing += execution;
            planned += planning;
            if (statements.Count < Listed)
            {
                statements.Add(new JsonObject
                {
                    ["calls_per_event"] = Math.Round((double)statementCalls / events, 3),
                    ["exec_ms_per_event"] = Math.Round(execution / events, 4),
                    ["plan_ms_per_event"] = Math.Round(planning / events, 4),
                    ["rows_per_call"] = statementCalls == 0 ? 0 : Math.Round((double)rows / statementCalls, 1),
                    ["query"] = OneLine(query),
                });
            }
        }

        return new JsonObject
        {
            ["calls_per_event"] = Math.Round((double)calls / events, 2),
            ["exec_ms_per_event"] = Math.Round(executing / events, 3),
            ["plan_ms_per_event"] = Math.Round(planned / events, 3),
            ["costliest"] = statements,
        };
    }

    private static string OneLine(string query)
    {
        var line = string.Join(' ', query.Split((char[])['\n', '\r', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 200 ? line : line[..200] + "…";
    }
}
