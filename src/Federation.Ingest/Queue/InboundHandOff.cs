using System.Runtime.InteropServices;
using System.Text.Json;
using Federation.Storage.Caching;

namespace Federation.Ingest.Queue;

/// <summary>
/// The JSON of events this process queued, kept in memory by queue row id so that its own worker takes them from here
/// instead of reading the row's JSON back and parsing it again. Only rows this process inserted are remembered, so the
/// JSON is exactly what the row holds (the row keeps everything else: id, origin, redacted flag, claims, attempts); row
/// ids are never reused. Entries go when their row is removed here; rows processed by another process, or removed
/// before their entry was added, are forgotten by age. Bounded by size: it forgets the older half at a time (the queue is
/// read in the order it was filled, so reading an entry does not keep it longer), and a worker lagging further behind
/// than that reads the JSON back as after a restart.
/// </summary>
internal sealed class InboundHandOff
{
    /// <summary>UTF-8 bytes of event JSON per generation; the parsed copies take about twice as much memory.</summary>
    public const int DefaultBytesPerGeneration = 16 * 1024 * 1024;

    private readonly GenerationalMap<long, JsonElement> _events;

    public InboundHandOff(int bytesPerGeneration = DefaultBytesPerGeneration) =>
        _events = new(bytesPerGeneration, weigh: json => JsonMarshal.GetRawUtf8Value(json).Length);

    /// <summary>Remembers a detached copy of the JSON of the event just queued as row <paramref name="id"/> (the caller's
    /// JSON may belong to a request body disposed after the response).</summary>
    public void Remember(long id, JsonElement json) => _events.Set(id, json.Clone());

    /// <summary>The JSON of row <paramref name="id"/>, when this process queued it and still remembers it.</summary>
    public bool TryGet(long id, out JsonElement json) => _events.TryPeek(id, out json);

    public void Forget(long id) => _events.Remove(id);
}
