using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.Divergence;

/// <summary>One peer's answer to "what is your fingerprint at this event?".</summary>
/// <param name="Server">The peer's server name.</param>
/// <param name="Kind">Whether it answered with a digest.</param>
/// <param name="Fingerprint">Its fingerprint, exactly when <paramref name="Kind"/> is <see cref="PeerAnswerKind.Digest"/>.</param>
/// <param name="Detail">Why there is no digest, for the report (null with a digest).</param>
public sealed record PeerAnswer(string Server, PeerAnswerKind Kind, StateFingerprint? Fingerprint, string? Detail = null)
{
    public static PeerAnswer WithDigest(string server, StateFingerprint fingerprint) => new(server, PeerAnswerKind.Digest, fingerprint);

    public static PeerAnswer NotHeld(string server, string detail) => new(server, PeerAnswerKind.NotHeld, null, detail);

    public static PeerAnswer Failed(string server, string detail) => new(server, PeerAnswerKind.Failed, null, detail);
}
