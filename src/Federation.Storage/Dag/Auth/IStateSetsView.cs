namespace Federation.Storage.Dag.Auth;

/// <summary>The state sets an auth chain difference is asked about, as <see cref="AuthChainDifference"/> needs them.</summary>
internal interface IStateSetsView
{
    /// <summary>Number of sets (at most 64).</summary>
    int Count { get; }

    /// <summary>Whether every set holds the event (it and its whole auth chain are then in every set's chain).</summary>
    bool InAll(long nid);

    /// <summary>The events of set <paramref name="set"/> that some other set lacks.</summary>
    IEnumerable<long> Conflicted(int set);
}
