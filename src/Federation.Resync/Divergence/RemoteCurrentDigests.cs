using System.Text.Json;
using Federation.Client.Http;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Divergence;

/// <summary>
/// Peers' digests of a room's current state, over this project's <c>state_digest</c> endpoint (MSC4500 has no endpoint
/// for "now"). The answer carries no lattice, so its digest cannot be checked; it is only compared with ours after a
/// repair, never used as state.
/// </summary>
public sealed class RemoteCurrentDigests(FederationClient client)
{
    /// <summary>The endpoint's path prefix (served by <c>Federation.Api.Rooms.StateAccumulatorEndpoints</c>).</summary>
    public const string Path = "/_matrix/federation/unstable/org.example.federation/state_digest/";

    /// <summary>The peer's fingerprint of its current state of <paramref name="roomId"/>, as a value (never throws for
    /// the peer's failures).</summary>
    public async Task<PeerAnswer> AskAsync(string server, string roomId, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(server, Path + Uri.EscapeDataString(roomId), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            var failure = response.Failure ?? $"status {response.StatusCode}";
            return response is { StatusCode: 404, ErrorCode: "M_NOT_FOUND" } ? PeerAnswer.NotHeld(server, failure) : PeerAnswer.Failed(server, failure);
        }

        var body = response.Body!.RootElement;
        return body.ValueKind == JsonValueKind.Object
            && body.TryGetProperty("digest", out var digest) && StateDigest.TryParse(digest.ValueKind == JsonValueKind.String ? digest.GetString() : null, out var parsed)
            && body.TryGetProperty("n_state_events", out var count) && count.TryGetInt64(out var entries) && entries >= 0
                ? PeerAnswer.WithDigest(server, new StateFingerprint(parsed, entries))
                : PeerAnswer.Failed(server, $"{server} sent a malformed state digest");
    }
}
