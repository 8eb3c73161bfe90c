using System.Text;
using Federation.Conformance.Scenarios;

namespace Federation.Conformance.Remotes;

/// <summary>
/// The remotes of a run, started before the target so that it can be told where they are. Aliases <c>r1</c>,
/// <c>r2</c>, … are shared by all scenarios (<c>remote1.test</c>, …); any other alias is a remote of its own for that
/// scenario (named after it), for scenarios that need a server the target has never heard of, such as key fetching.
/// </summary>
public sealed class RemotePool : IAsyncDisposable
{
    private readonly Dictionary<string, FakeRemote> _remotes = new(StringComparer.Ordinal);

    private RemotePool()
    {
    }

    /// <summary>Server name → loopback base URL of every remote.</summary>
    public IReadOnlyDictionary<string, Uri> Addresses => _remotes.Values.ToDictionary(r => r.ServerName, r => r.BaseAddress, StringComparer.Ordinal);

    public static async Task<RemotePool> StartAsync(IEnumerable<Scenario> scenarios, int firstPort)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        var pool = new RemotePool();
        var names = scenarios.SelectMany(s => s.Remotes.Select(r => NameFor(s, r.Alias))).Append(NameFor(null, "r1"))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            pool._remotes[names[i]] = await FakeRemote.StartAsync(names[i], firstPort == 0 ? 0 : firstPort + i).ConfigureAwait(false);
        }

        return pool;
    }

    public FakeRemote For(Scenario? scenario, string alias) => _remotes[NameFor(scenario, alias)];

    public async ValueTask DisposeAsync()
    {
        foreach (var remote in _remotes.Values)
        {
            await remote.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string NameFor(Scenario? scenario, string alias)
    {
        if (alias.Length > 1 && alias[0] == 'r' && alias[1..].All(char.IsAsciiDigit))
        {
            return $"remote{alias[1..]}.test";
        }

        var name = new StringBuilder();
        foreach (var character in $"{alias}-{scenario?.Name}".ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(character) ? character : '-');
        }

        return name + ".test";
    }
}
