using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.Divergence;

/// <summary>
/// Classifies our fingerprint at a probe event against the peers' (the "weak / hard sync" split of de-MLS recovery).
/// Voters are this server and every peer that sent a digest; a digest held by more than half of them is the majority.
/// Peers without a digest do not vote. Majorities count servers, not operators (one operator may run many servers), so
/// a verdict is evidence for the operator and a ranking of whom to fetch from, never a source of state.
/// </summary>
public static class DivergenceClassifier
{
    /// <summary>Classifies <paramref name="answers"/> against <paramref name="ours"/>; fewer than
    /// <paramref name="minimumDigests"/> peer digests give <see cref="DivergenceClass.InsufficientAnswers"/>.</summary>
    public static DivergenceVerdict Classify(StateFingerprint ours, IReadOnlyList<PeerAnswer> answers, int minimumDigests)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumDigests, 1);
        var histogram = new Dictionary<StateDigest, List<string>>();
        var unanswered = new List<PeerAnswer>();
        foreach (var answer in answers)
        {
            if (answer is { Kind: PeerAnswerKind.Digest, Fingerprint: { } fingerprint })
            {
                if (!histogram.TryGetValue(fingerprint.Digest, out var servers))
                {
                    histogram[fingerprint.Digest] = servers = [];
                }

                servers.Add(answer.Server);
            }
            else
            {
                unanswered.Add(answer);
            }
        }

        var agreeing = histogram.TryGetValue(ours.Digest, out var same) ? same : [];
        var disagreeing = histogram.Where(h => h.Key != ours.Digest).SelectMany(h => h.Value).ToList();
        var digests = agreeing.Count + disagreeing.Count;
        var voters = digests + 1;
        StateDigest? majority = agreeing.Count + 1 > voters / 2.0
            ? ours.Digest
            : histogram.Where(h => h.Value.Count > voters / 2.0).Select(h => (StateDigest?)h.Key).FirstOrDefault();
        var verdictClass = digests < minimumDigests ? DivergenceClass.InsufficientAnswers
            : disagreeing.Count == 0 ? DivergenceClass.InSync
            : majority == ours.Digest ? DivergenceClass.PeerLagging
            : majority is not null ? DivergenceClass.WeAreMinority
            : DivergenceClass.NoMajority;
        return new DivergenceVerdict(
            verdictClass,
            ours,
            majority,
            histogram.ToDictionary(h => h.Key, h => (IReadOnlyList<string>)h.Value),
            agreeing,
            disagreeing,
            unanswered);
    }
}
