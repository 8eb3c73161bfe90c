namespace Federation.Ingest.Remote;

/// <summary>A remote's <c>/state_ids</c> answer: the ids of the state before an event and of that state's auth chain.</summary>
public sealed record StateIdsAnswer(IReadOnlyList<string> PduIds, IReadOnlyList<string> AuthChainIds);
