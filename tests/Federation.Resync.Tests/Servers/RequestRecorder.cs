using System.Collections.Concurrent;

namespace Federation.Resync.Tests.Servers;

/// <summary>The federation requests one of our test servers received, and the paths it pretends not to serve.</summary>
public sealed class RequestRecorder
{
    private readonly ConcurrentQueue<string> _paths = new();
    private readonly ConcurrentBag<string> _refused = [];

    /// <summary>Requests received whose path contains <paramref name="fragment"/>, refused ones included.</summary>
    public int Count(string fragment) => _paths.Count(p => p.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Answers requests whose path contains <paramref name="fragment"/> with 404 <c>M_UNRECOGNIZED</c>, as a
    /// server without the endpoint does.</summary>
    public void Refuse(string fragment) => _refused.Add(fragment);

    internal bool Record(string path)
    {
        _paths.Enqueue(path);
        return _refused.Any(f => path.Contains(f, StringComparison.Ordinal));
    }
}
