using Federation.Client.Http;
using Federation.Client.StateAccumulators;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Divergence;

/// <summary>
/// Peers' fingerprints over MSC4500's state accumulator endpoint. A lattice whose BLAKE2b-256 is not the digest sent
/// is discarded (MSC4500 requires it), so a digest used here is at least consistent with the lattice it came with.
/// </summary>
public sealed class RemoteFingerprints(FederationClient client)
{
    /// <summary>The peer's fingerprint of the state after <paramref name="eventId"/>, as a value (never throws for the
    /// peer's failures).</summary>
    public async Task<PeerAnswer> AskAsync(string server, string roomId, string eventId, CancellationToken cancellationToken)
    {
        var answer = await client.GetStateAccumulatorAsync(server, roomId, eventId, cancellationToken).ConfigureAwait(false);
        switch (answer.Status)
        {
            case StateAccumulatorStatus.Ok:
                var lattice = StateLattice.FromBytes(answer.Lattice);
                var digest = lattice.Digest();
                return StateDigest.TryParse(answer.Digest, out var claimed) && claimed == digest
                    ? PeerAnswer.WithDigest(server, new StateFingerprint(digest, answer.Count))
                    : PeerAnswer.Failed(server, $"{server} sent a digest that is not the BLAKE2b-256 of its lattice");
            case StateAccumulatorStatus.NotFound:
                return PeerAnswer.NotHeld(server, answer.Failure ?? "not found");
            default:
                return PeerAnswer.Failed(server, answer.Failure ?? answer.Status.ToString());
        }
    }
}
