using System.Text.Json.Nodes;

namespace Federation.Resync.Divergence;

/// <summary>A divergence report as the database keeps it.</summary>
/// <param name="ReportId">Increases with every report written.</param>
/// <param name="RoomId">The room.</param>
/// <param name="ProbedAt">When the probe was made.</param>
/// <param name="Class">The verdict's class (snake_case).</param>
/// <param name="FirstDivergentEventId">The bisection's first divergent event, if there was a difference.</param>
/// <param name="RepairOutcome">The repair's outcome (snake_case), if one was made.</param>
/// <param name="Report">The whole report (<see cref="DivergenceReportJson"/>).</param>
public sealed record StoredDivergenceReport(
    long ReportId, string RoomId, DateTimeOffset ProbedAt, string Class, string? FirstDivergentEventId, string? RepairOutcome, JsonObject Report);
