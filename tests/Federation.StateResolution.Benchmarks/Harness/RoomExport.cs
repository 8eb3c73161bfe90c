using System.Text.Json;
using Federation.StateResolution.Graph;

namespace Federation.StateResolution.Benchmarks.Harness;

/// <summary>
/// Writes a generated room and two of its state sets in the <c>federation resolve</c> file format
/// (src/Federation.Cli/README.md): <c>{"room_version", "events": [...], "state_sets": [...]}</c>, each event with its
/// <c>event_id</c> and its own <c>auth_events</c>. Extra top-level keys describe the workload; readers ignore them.
/// </summary>
internal static class RoomExport
{
    public static void Write(ForkedRoom room, ForkChoice fork, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("room_version", room.Room.RoomVersion.Id);
        writer.WritePropertyName("generator");
        JsonSerializer.Serialize(writer, room.Describe());
        writer.WritePropertyName("fork");
        JsonSerializer.Serialize(writer, fork.ToJson());
        writer.WriteStartArray("events");
        foreach (var pdu in room.Room.Events)
        {
            writer.WriteStartObject();
            writer.WriteString("event_id", pdu.EventId);
            foreach (var property in pdu.Json.EnumerateObject())
            {
                if (property.NameEquals("event_id"))
                {
                    continue;
                }

                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("state_sets");
        foreach (var set in fork.Sets)
        {
            WriteStateSet(writer, room.Graph, set);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteStateSet(Utf8JsonWriter writer, RoomGraph graph, StateMap set)
    {
        writer.WriteStartArray();
        foreach (var (key, eventId) in graph.ToEntries(set))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(key.Type);
            writer.WriteStringValue(key.Key);
            writer.WriteStringValue(eventId);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }
}

internal static class RepositoryRoot
{
    /// <summary>The folder holding Federation.sln, searched upwards from the binary and from the working directory.</summary>
    public static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Federation.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Federation.sln) above the binary or the working directory");
    }
}
