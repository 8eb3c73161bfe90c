using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Core.StateHashes;

namespace Federation.Resync.Core.Tests.StateHashes;

public sealed class StateHashCheckTests
{
    private static readonly StateFingerprint Two = Fingerprint(2);
    private static readonly StateFingerprint Three = Fingerprint(3);

    [Fact]
    public void Equal_digests_are_a_match()
    {
        var check = new StateHashCheck(StateHashClaim.Of(Two, Three), Two, Three);

        Assert.True(check.Compared);
        Assert.False(check.IsMismatch);
    }

    [Fact]
    public void A_different_after_is_reported_with_ours_as_expected_and_theirs_as_received()
    {
        var check = new StateHashCheck(StateHashClaim.Of(Two, Two), Two, Three);

        Assert.True(check.IsMismatch);
        Assert.False(check.BeforeDiffers);
        var json = check.ToMismatchJson();
        Assert.Equal("lthash16", json["algorithm"]!.GetValue<string>());
        Assert.Equal(Three.Digest.ToString(), json["expected_after"]!.GetValue<string>());
        Assert.Equal(Two.Digest.ToString(), json["received_after"]!.GetValue<string>());
        Assert.Null(json["expected_before"]);
    }

    [Fact]
    public void A_different_before_is_reported_on_its_own_side()
    {
        var json = new StateHashCheck(new StateHashClaim(Three.Digest, null), Two, Two).ToMismatchJson();

        Assert.Equal(Two.Digest.ToString(), json["expected_before"]!.GetValue<string>());
        Assert.Equal(Three.Digest.ToString(), json["received_before"]!.GetValue<string>());
        Assert.Null(json["expected_after"]);
    }

    [Fact]
    public void Counts_alone_never_make_a_mismatch()
    {
        var check = new StateHashCheck(new StateHashClaim(Two.Digest, Two.Digest, 99, 99), Two, Two);

        Assert.False(check.IsMismatch);
    }

    [Fact]
    public void Nothing_held_on_our_side_is_not_compared_and_not_a_mismatch()
    {
        var check = new StateHashCheck(StateHashClaim.Of(Two, Three), null, null);

        Assert.False(check.Compared);
        Assert.False(check.IsMismatch);
    }

    private static StateFingerprint Fingerprint(int members) =>
        StateAccumulator.Of(Enumerable.Range(0, members).Select(i => new StateEntry("m.room.member", $"@u{i}:example.org", $"$e{i}"))).Fingerprint();
}
