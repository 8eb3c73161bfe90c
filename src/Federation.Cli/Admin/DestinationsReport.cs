using System.Globalization;
using Federation.Local.Outbound;
using Federation.Storage.Dag;

namespace Federation.Cli.Admin;

/// <summary>
/// <c>destinations</c>: remote servers we cannot reach. Two persisted signs: events waiting in the outbound queue (a
/// destination that answers empties its queue within a transaction round trip, so a backlog means back-off), and holes
/// whose fetch failed and now wait out their back-off or were given up.
/// </summary>
internal sealed class DestinationsReport(DagStore store, OutboundQueueReader queue, TimeProvider time, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var queued = await queue.ByDestinationAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"outbound queue: {queued.Count} destinations with undelivered events, longest waiting first")
            .ConfigureAwait(false);
        foreach (var destination in queued)
        {
            await output.WriteLineAsync(
                $"  {destination.Destination}  {destination.QueuedEvents} events in {destination.Rooms} rooms, oldest queued " +
                $"{Time(destination.OldestEnqueuedAt)} ({Age(now - destination.OldestEnqueuedAt)} ago)").ConfigureAwait(false);
        }

        var holes = await store.GetHolesInBackOffAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"missing events in back-off: {holes.Count}").ConfigureAwait(false);
        foreach (var (roomId, hole) in holes)
        {
            var when = hole.GivenUpAt is { } givenUp ? $"lost {Time(givenUp)}" : $"next attempt {Time(hole.NextAttemptAt!.Value)}";
            await output.WriteLineAsync(
                $"  {roomId} {hole.EventId}  attempts {hole.Attempts}, {when}, asked {string.Join(' ', hole.AskedServers)}" +
                $"{(hole.LastError is { } error ? "; last error: " + error : "")}").ConfigureAwait(false);
        }

        return CliApp.Success;
    }

    private static string Time(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Age(TimeSpan age) => age < TimeSpan.Zero ? "0s"
        : age.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d{age.Hours}h")
        : age.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h{age.Minutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes}m{age.Seconds}s");
}
