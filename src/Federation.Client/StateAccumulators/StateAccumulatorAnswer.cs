namespace Federation.Client.StateAccumulators;

/// <summary>A peer's answer to <c>GET …/tk.nutra.msc4500/state_accumulator/{roomId}?event_id=</c>.</summary>
/// <param name="Status">How it answered.</param>
/// <param name="Lattice">The raw 2048-byte lattice (with <see cref="StateAccumulatorStatus.Ok"/>).</param>
/// <param name="Digest">The digest as sent, 64 hex digits (with <see cref="StateAccumulatorStatus.Ok"/>).</param>
/// <param name="Count">The entry count it claims (diagnostic only).</param>
/// <param name="Failure">Why there is no lattice, in words.</param>
/// <param name="RetryAfter">With <see cref="StateAccumulatorStatus.RateLimited"/>: when to ask again, if it said.</param>
public sealed record StateAccumulatorAnswer(
    StateAccumulatorStatus Status, byte[]? Lattice, string? Digest, long Count, string? Failure, TimeSpan? RetryAfter = null);
