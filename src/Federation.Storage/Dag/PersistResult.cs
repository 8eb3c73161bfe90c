namespace Federation.Storage.Dag;

/// <summary>What a <see cref="DagStore.PersistEventsAsync"/> call did.</summary>
/// <param name="Persisted">Ids of events written (new, or an outlier now stored as a timeline event).</param>
/// <param name="AlreadyKnown">Ids skipped because the store already held them at least as completely.</param>
public sealed record PersistResult(IReadOnlyList<string> Persisted, IReadOnlyList<string> AlreadyKnown);
