using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.Tests.Divergence;

public sealed class DivergenceClassifierTests
{
    private static readonly StateFingerprint Ours = Fingerprint("$ours");
    private static readonly StateFingerprint Theirs = Fingerprint("$theirs");
    private static readonly StateFingerprint Third = Fingerprint("$third");

    [Fact]
    public void Every_peer_holding_our_digest_is_in_sync()
    {
        var verdict = Classify(Answer("a", Ours), Answer("b", Ours), Answer("c", Ours));

        Assert.Equal(DivergenceClass.InSync, verdict.Class);
        Assert.Equal(Ours.Digest, verdict.Majority);
        Assert.Equal(["a", "b", "c"], verdict.Agreeing);
    }

    [Fact]
    public void A_strict_majority_of_other_servers_on_another_digest_puts_us_in_the_minority()
    {
        var verdict = Classify(Answer("a", Theirs), Answer("b", Theirs), PeerAnswer.Failed("c", "timeout"));

        Assert.Equal(DivergenceClass.WeAreMinority, verdict.Class);
        Assert.Equal(Theirs.Digest, verdict.Majority);
        Assert.Equal(["a", "b"], verdict.MajorityServers);
    }

    [Fact]
    public void We_count_as_one_voter_so_two_against_two_is_no_majority()
    {
        Assert.Equal(DivergenceClass.NoMajority, Classify(Answer("a", Theirs), Answer("b", Theirs), Answer("c", Ours)).Class);
    }

    [Fact]
    public void A_majority_holding_our_digest_means_the_others_lag()
    {
        var verdict = Classify(Answer("a", Ours), Answer("b", Theirs), Answer("c", Ours));

        Assert.Equal(DivergenceClass.PeerLagging, verdict.Class);
        Assert.Equal(["b"], verdict.Disagreeing);
        Assert.Empty(verdict.MajorityServers);
    }

    [Fact]
    public void No_digest_held_by_more_than_half_is_a_hard_split()
    {
        var verdict = Classify(Answer("a", Theirs), Answer("b", Third), Answer("c", Ours));

        Assert.Equal(DivergenceClass.NoMajority, verdict.Class);
        Assert.Null(verdict.Majority);
        Assert.Equal(3, verdict.Histogram.Count);
    }

    [Fact]
    public void A_tie_between_us_and_the_rest_is_no_majority()
    {
        Assert.Equal(DivergenceClass.NoMajority, DivergenceClassifier.Classify(Ours, [Answer("a", Theirs)], minimumDigests: 1).Class);
        Assert.Equal(DivergenceClass.NoMajority, Classify(Answer("a", Theirs), Answer("b", Ours), Answer("c", Theirs), Answer("d", Third)).Class);
    }

    [Fact]
    public void Peers_without_a_digest_do_not_vote_and_too_few_digests_say_nothing()
    {
        var verdict = Classify(Answer("a", Theirs), PeerAnswer.NotHeld("b", "404"), PeerAnswer.Failed("c", "timeout"));

        Assert.Equal(DivergenceClass.InsufficientAnswers, verdict.Class);
        Assert.Equal(["b", "c"], verdict.Unanswered.Select(a => a.Server));
    }

    private static DivergenceVerdict Classify(params PeerAnswer[] answers) => DivergenceClassifier.Classify(Ours, answers, minimumDigests: 2);

    private static PeerAnswer Answer(string server, StateFingerprint fingerprint) => PeerAnswer.WithDigest(server, fingerprint);

    private static StateFingerprint Fingerprint(string eventId) => StateAccumulator.Of([new StateEntry("m.room.create", "", eventId)]).Fingerprint();
}
