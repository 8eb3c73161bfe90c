using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Federation.Api.Metrics;

/// <summary>
/// Collects the measurements of this server's meters (names starting with <c>Federation</c>) and renders them in the
/// Prometheus text format: counters as <c>_total</c>, histograms as cumulative buckets with sum and count, gauges as
/// their last value. No exporter library is needed for a scrape endpoint.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    private static readonly double[] SecondBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    // Histograms of sizes (state sets, conflicted events, probes): powers of about 2.5 up to a 100k-member room's state.
    private static readonly double[] SizeBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 100_000, 1_000_000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();

    public PrometheusMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Federation", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The current values in the Prometheus text exposition format (version 0.0.4).</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var (name, type) = NameAndType(instrument);
            if (instrument.Description is { Length: > 0 } description)
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(description.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            }

            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var ((_, labels), series) in group.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
            {
                series.Render(text, name, labels);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        var series = _series.GetOrAdd((instrument, labels), key => key.Instrument switch
        {
            Histogram<double> or Histogram<long> or Histogram<int> => new HistogramSeries(key.Instrument.Unit == "s" ? SecondBuckets : SizeBuckets),
            ObservableGauge<long> or ObservableGauge<double> or ObservableGauge<int> => new GaugeSeries(),
            _ => new SumSeries(),
        });
        series.Record(value);
    }

    private static (string Name, string Type) NameAndType(Instrument instrument)
    {
        var name = new StringBuilder(instrument.Name.Length + 8);
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        if (instrument.Unit == "s")
        {
            name.Append("_seconds");
        }

        return instrument switch
        {
            Histogram<double> or Histogram<long> or Histogram<int> => (name.ToString(), "histogram"),
            ObservableGauge<long> or ObservableGauge<double> or ObservableGauge<int> => (name.ToString(), "gauge"),
            _ => (name.Append("_total").ToString(), "counter"),
        };
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var sorted = tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal);
        return string.Join(',', sorted.Select(t =>
            $"{t.Key}=\"{Convert.ToString(t.Value, CultureInfo.InvariantCulture)?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\""));
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string WithLabel(string labels, string extra) =>
        labels.Length == 0 ? "{" + extra + "}" : "{" + labels + "," + extra + "}";

    private abstract class Series
    {
        public abstract void Record(double value);

        public abstract void Render(StringBuilder text, string name, string labels);
    }

    private sealed class SumSeries : Series
    {
        private double _sum;
        private readonly Lock _gate = new();

        public override void Record(double value)
        {
            lock (_gate)
            {
                _sum += value;
            }
        }

        public override void Render(StringBuilder text, string name, string labels)
        {
            lock (_gate)
            {
                text.Append(name).Append(labels.Length == 0 ? "" : "{" + labels + "}").Append(' ').Append(Format(_sum)).Append('\n');
            }
        }
    }

    private sealed class GaugeSeries : Series
    {
        private double _value;

        public override void Record(double value) => Volatile.Write(ref _value, value);

        public override void Render(StringBuilder text, string name, string labels) =>
            text.Append(name).Append(labels.Length == 0 ? "" : "{" + labels + "}").Append(' ').Append(Format(Volatile.Read(ref _value))).Append('\n');
    }

    private sealed class HistogramSeries(double[] buckets) : Series
    {
        private readonly long[] _counts = new long[buckets.Length];
        private readonly Lock _gate = new();
        private long _count;
        private double _sum;

        public override void Record(double value)
        {
            lock (_gate)
            {
                _count++;
                _sum += value;
                for (var i = 0; i < buckets.Length; i++)
                {
                    if (value <= buckets[i])
                    {
                        _counts[i]++;
                    }
                }
            }
        }

        public override void Render(StringBuilder text, string name, string labels)
        {
            lock (_gate)
            {
                for (var i = 0; i < buckets.Length; i++)
                {
                    text.Append(name).Append("_bucket").Append(WithLabel(labels, $"le=\"{Format(buckets[i])}\"")).Append(' ')
                        .Append(_counts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                text.Append(name).Append("_bucket").Append(WithLabel(labels, "le=\"+Inf\"")).Append(' ')
                    .Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_sum").Append(labels.Length == 0 ? "" : "{" + labels + "}").Append(' ').Append(Format(_sum)).Append('\n');
                text.Append(name).Append("_count").Append(labels.Length == 0 ? "" : "{" + labels + "}").Append(' ')
                    .Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }
}
