using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.StateResolution.Diagnostics;
using Federation.StateResolution.Events;
using Federation.StateResolution.Resolution;
using Federation.Testing.Dag;

namespace Federation.StateResolution.Tests.Resolution;

public sealed class StateResolutionMetricsTests
{
    [Fact]
    public async Task A_resolution_records_its_time_state_sets_and_conflicted_events()
    {
        var measurements = new ConcurrentBag<(string Name, double Value, string? Algorithm)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StateResolutionMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, Algorithm(tags))));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, Algorithm(tags))));
        listener.Start();
        var room = new TestRoomDag("!metrics:test");
        room.Create("$c");
        room.Member("$j", "@alice:test", "join", ["$c"], ["$c"]);
        room.State("$ta", "m.room.topic", "", "@alice:test", ["$j"], ["$c", "$j"], new JsonObject { ["topic"] = "metrics-a" });
        room.State("$tb", "m.room.topic", "", "@alice:test", ["$j"], ["$c", "$j"], new JsonObject { ["topic"] = "metrics-b" });
        var source = new InMemoryEventSource();
        source.AddRange(room.Events.Values);
        var common = new Dictionary<StateKey, string> { [new(EventTypes.Create, "")] = "$c", [new(EventTypes.Member, "@alice:test")] = "$j" };

        await StateResolver.ResolveAsync(
            room.Version,
            source,
            [new Dictionary<StateKey, string>(common) { [new("m.room.topic", "")] = "$ta" }, new Dictionary<StateKey, string>(common) { [new("m.room.topic", "")] = "$tb" }]);

        Assert.Contains(measurements, m => m.Name == "federation.state_resolution.duration" && m.Algorithm == "v2" && m.Value >= 0);
        Assert.Contains(measurements, m => m.Name == "federation.state_resolution.state_sets" && m.Algorithm == "v2" && m.Value == 2);
        Assert.Contains(measurements, m => m.Name == "federation.state_resolution.conflicted_events" && m.Algorithm == "v2" && m.Value >= 2);
    }

    private static string? Algorithm(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "algorithm")
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
