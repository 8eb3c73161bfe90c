using System.Collections.Concurrent;

namespace Federation.Client.Diagnostics;

/// <summary>
/// Keeps the <c>destination</c> label of the client's metrics to a bounded number of values. A server federates with
/// thousands of others, and every label value is a separate series in the metrics backend for the life of the
/// process; the first <c>limit</c> destinations keep their names, later ones are counted under
/// <see cref="Other"/>.
/// </summary>
public sealed class DestinationLabels(int limit)
{
    /// <summary>The label of every destination beyond the limit.</summary>
    public const string Other = "other";

    private readonly ConcurrentDictionary<string, byte> _named = new(StringComparer.Ordinal);

    /// <summary>The label to record <paramref name="destination"/> under.</summary>
    public string For(string destination)
    {
        if (_named.ContainsKey(destination))
        {
            return destination;
        }

        // Two threads may both pass the count check and overshoot by a few; the bound stays the limit plus the threads.
        if (_named.Count >= limit)
        {
            return Other;
        }

        _named.TryAdd(destination, 0);
        return destination;
    }
}
