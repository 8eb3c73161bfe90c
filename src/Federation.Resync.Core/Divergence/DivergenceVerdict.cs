using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.Divergence;

/// <summary>The classification of one probe, with the evidence behind it.</summary>
/// <param name="Class">The classification.</param>
/// <param name="Ours">Our fingerprint at the probe event.</param>
/// <param name="Majority">The digest held by a strict majority of the voters (us and the peers that sent one), if any.</param>
/// <param name="Histogram">Servers per digest among the peers that sent one (we are not in it).</param>
/// <param name="Agreeing">Peers holding our digest.</param>
/// <param name="Disagreeing">Peers holding another digest.</param>
/// <param name="Unanswered">Peers without a digest (no state there, or no usable answer).</param>
public sealed record DivergenceVerdict(
    DivergenceClass Class,
    StateFingerprint Ours,
    StateDigest? Majority,
    IReadOnlyDictionary<StateDigest, IReadOnlyList<string>> Histogram,
    IReadOnlyList<string> Agreeing,
    IReadOnlyList<string> Disagreeing,
    IReadOnlyList<PeerAnswer> Unanswered)
{
    /// <summary>The peers holding the majority digest, when it is not ours (whom to fetch from first).</summary>
    public IReadOnlyList<string> MajorityServers =>
        Class == DivergenceClass.WeAreMinority && Majority is { } majority ? Histogram[majority] : [];
}
