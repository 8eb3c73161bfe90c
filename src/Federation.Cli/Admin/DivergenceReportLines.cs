using System.Globalization;
using System.Text.Json.Nodes;
using Federation.Resync.Divergence;

namespace Federation.Cli.Admin;

/// <summary>The room's latest divergence report as a few lines, for <c>room inspect</c> and <c>room fingerprint</c>.</summary>
internal static class DivergenceReportLines
{
    public static async Task WriteAsync(DivergenceReportStore reports, string roomId, TextWriter output, CancellationToken cancellationToken)
    {
        var latest = await reports.LatestAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (latest is null)
        {
            await output.WriteLineAsync("latest divergence report: none (the server has not probed this room)").ConfigureAwait(false);
            return;
        }

        var report = latest.Report;
        await output.WriteLineAsync(
            $"latest divergence report: {latest.Class} at {Text(report["probe_event"])}, probed {latest.ProbedAt.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}")
            .ConfigureAwait(false);
        if (Text(report["majority_digest"]) is { } majority && report["digests"]?[majority] is JsonArray servers && latest.Class == "we_are_minority")
        {
            await output.WriteLineAsync($"  majority servers: {string.Join(' ', servers.Select(Text))}").ConfigureAwait(false);
        }

        if (report["bisection"] is JsonObject bisection)
        {
            var peer = Text(report["bisected_peer"]);
            await output.WriteLineAsync(
                $"  first divergent event: {latest.FirstDivergentEventId} ({Text(bisection["outcome"])} against {peer}; last agreeing {Text(bisection["last_agreeing"]) ?? "-"}" +
                $"{(bisection["peer_lacks_event"]?.GetValue<bool>() == true ? $"; {peer} does not hold it" : "")})").ConfigureAwait(false);
        }

        if (report["repair"] is JsonObject repair)
        {
            var attempts = repair["attempts"]!.AsArray().Select(a =>
                $"{Text(a!["peer"])} {Text(a["status"])}, {a["need"]} lacked, {a["stored"]} stored{(Text(a["failure"]) is { } failure ? ": " + failure : "")}");
            var after = Text(repair["verdict_after"]?["class"]);
            await output.WriteLineAsync(
                $"  repair: {latest.RepairOutcome} ({string.Join("; ", attempts)}){(after is null ? "" : $"; current state after it: {after}")}").ConfigureAwait(false);
        }
    }

    private static string? Text(JsonNode? node) => node?.GetValue<string>();
}
