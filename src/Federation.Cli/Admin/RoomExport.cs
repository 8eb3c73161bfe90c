using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Federation.Storage.Dag;

namespace Federation.Cli.Admin;

/// <summary>
/// <c>room export</c>: the room's stored DAG as a document the <c>resolve</c>/<c>state</c> commands read back
/// (<c>{"room_version", "events": [...]}</c>, each event its stored JSON plus <c>event_id</c>). What the store knows
/// beyond the events goes into extra top-level keys, which those commands ignore: <c>rejected</c> (id → reason),
/// <c>soft_failed</c>, <c>outliers</c>, <c>forward_extremities</c> and <c>holes</c>. Events are read a page at a time
/// in the order this server persisted them and written as they come, so memory stays flat for a large room.
/// </summary>
internal sealed class RoomExport(DagStore store, TextWriter progress)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public async Task<int> RunAsync(AdminArguments arguments, TextWriter stdout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(stdout);
        var roomId = arguments.RoomId!;
        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false);
        var counts = await store.GetRoomEventCountsAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (version is null || counts is null)
        {
            return await AdminCommands.UnknownRoomAsync(progress, roomId).ConfigureAwait(false);
        }

        Stream target = arguments.Out is null ? new MemoryStream() : new FileStream(arguments.Out, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (target.ConfigureAwait(false))
        {
            var exported = await WriteAsync(roomId, version.Id, counts.Total, arguments.PageSize, target, cancellationToken).ConfigureAwait(false);
            if (arguments.Out is null)
            {
                // Without --out the document goes to stdout; the text writer gets it whole (rooms exported to stdout are
                // expected to be small; large ones belong in a file, which is streamed).
                await stdout.WriteAsync(System.Text.Encoding.UTF8.GetString(((MemoryStream)target).ToArray())).ConfigureAwait(false);
                await stdout.WriteLineAsync().ConfigureAwait(false);
            }
            else
            {
                await progress.WriteLineAsync($"exported {exported} events of {roomId} to {arguments.Out}").ConfigureAwait(false);
            }
        }

        return CliApp.Success;
    }

    private async Task<long> WriteAsync(string roomId, string version, long total, int pageSize, Stream target, CancellationToken cancellationToken)
    {
        var rejected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var softFailed = new List<string>();
        var outliers = new List<string>();
        long exported = 0;
        await using var writer = new Utf8JsonWriter(target, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("room_version", version);
        writer.WriteString("room_id", roomId);
        writer.WriteStartArray("events");
        long after = 0;
        while (true)
        {
            var page = await store.GetRoomEventsPageAsync(roomId, after, pageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var stored in page)
            {
                WriteEvent(writer, stored);
                switch (stored.Status)
                {
                    case EventStatus.Rejected:
                        rejected[stored.EventId] = stored.RejectionReason ?? "";
                        break;
                    case EventStatus.SoftFailed:
                        softFailed.Add(stored.EventId);
                        break;
                }

                if (stored.IsOutlier)
                {
                    outliers.Add(stored.EventId);
                }
            }

            exported += page.Count;
            after = page[^1].StreamOrdering;
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (total > pageSize)
            {
                await progress.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture, $"exported {exported} of {total} events ({100.0 * exported / total:F0}%)")).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        writer.WriteStartObject("rejected");
        foreach (var (eventId, reason) in rejected)
        {
            writer.WriteString(eventId, reason);
        }

        writer.WriteEndObject();
        WriteStrings(writer, "soft_failed", softFailed);
        WriteStrings(writer, "outliers", outliers);
        WriteStrings(writer, "forward_extremities", await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false));
        var holes = await store.GetHolesAsync(roomId, dueOnly: false, cancellationToken).ConfigureAwait(false);
        WriteStrings(writer, "holes", [.. holes.Select(h => h.EventId)]);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return exported;
    }

    private static void WriteEvent(Utf8JsonWriter writer, StoredEvent stored)
    {
        using var json = JsonDocument.Parse(stored.Json);
        writer.WriteStartObject();
        writer.WriteString("event_id", stored.EventId);
        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (property.Name != "event_id")
            {
                property.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
