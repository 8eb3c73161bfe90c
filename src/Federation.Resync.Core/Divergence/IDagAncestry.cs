namespace Federation.Resync.Core.Divergence;

/// <summary>Our DAG as the bisection walks it (implemented over the store by the service layer).</summary>
public interface IDagAncestry
{
    /// <summary>A line of ancestors ending at <paramref name="eventId"/>, oldest first: the event, its first prev event
    /// held with state, that one's, and so on, at most <paramref name="maxLength"/> events, stopping at the create
    /// event or at a prev without state.</summary>
    Task<IReadOnlyList<string>> LineToAsync(string eventId, int maxLength, CancellationToken cancellationToken);

    /// <summary>The prev events of <paramref name="eventId"/> that we hold with state.</summary>
    Task<IReadOnlyList<string>> PrevEventsAsync(string eventId, CancellationToken cancellationToken);
}
