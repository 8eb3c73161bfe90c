using System.Buffers.Text;
using System.Text.Json;
using Federation.Client.Http;

namespace Federation.Client.StateAccumulators;

/// <summary>
/// MSC4500's state accumulator endpoint as a client: the peer's LtHash16 lattice, digest and entry count of the room
/// state after an event. The answer is parsed, not trusted: the caller checks the digest against the lattice.
/// </summary>
public static class StateAccumulatorRequests
{
    /// <summary>The unstable path prefix of MSC4500's endpoint.</summary>
    public const string UnstablePath = "/_matrix/federation/unstable/tk.nutra.msc4500/state_accumulator/";

    /// <summary>Bytes of a lattice.</summary>
    public const int LatticeSize = 2048;

    /// <summary>Asks <paramref name="destination"/> for its accumulator of <paramref name="roomId"/> after <paramref name="eventId"/>.</summary>
    public static async Task<StateAccumulatorAnswer> GetStateAccumulatorAsync(
        this FederationClient client, string destination, string roomId, string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(
            destination, $"{UnstablePath}{Uri.EscapeDataString(roomId)}?event_id={Uri.EscapeDataString(eventId)}", cancellationToken)
            .ConfigureAwait(false);
        return Read(response);
    }

    /// <summary>Reads an answer: its status, and the lattice, digest and count of a well-formed one.</summary>
    public static StateAccumulatorAnswer Read(FederationResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccess)
        {
            var failure = response.Failure ?? $"status {response.StatusCode}";
            return response switch
            {
                { StatusCode: 404, ErrorCode: "M_NOT_FOUND" } => new(StateAccumulatorStatus.NotFound, null, null, 0, failure),
                { StatusCode: 404 or 405 or 501 } => new(StateAccumulatorStatus.Unsupported, null, null, 0, failure),
                { StatusCode: 429 } => new(StateAccumulatorStatus.RateLimited, null, null, 0, failure, RetryAfter(response.Body)),
                _ => new(StateAccumulatorStatus.Failed, null, null, 0, failure),
            };
        }

        var body = response.Body!.RootElement;
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("algorithm", out var algorithm) || algorithm.ValueKind != JsonValueKind.String
            || !body.TryGetProperty("lattice", out var lattice) || lattice.ValueKind != JsonValueKind.String
            || !body.TryGetProperty("digest", out var digest) || digest.ValueKind != JsonValueKind.String
            || !body.TryGetProperty("n_state_events", out var count) || !count.TryGetInt64(out var entries) || entries < 0)
        {
            return Malformed(response, "it lacks algorithm, lattice, digest or n_state_events");
        }

        if (algorithm.GetString() != "lthash16")
        {
            return new(StateAccumulatorStatus.Unsupported, null, null, 0, $"{response.Destination} uses algorithm {algorithm.GetString()}");
        }

        var encoded = lattice.GetString()!;
        if (Base64Url.GetMaxDecodedLength(encoded.Length) < LatticeSize)
        {
            return Malformed(response, "its lattice is too short");
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        return Base64Url.TryDecodeFromChars(encoded, bytes, out var written) && written == LatticeSize
            ? new(StateAccumulatorStatus.Ok, bytes[..LatticeSize], digest.GetString(), entries, null)
            : Malformed(response, $"its lattice is not {LatticeSize} bytes of unpadded base64url");
    }

    private static StateAccumulatorAnswer Malformed(FederationResponse response, string why) =>
        new(StateAccumulatorStatus.Failed, null, null, 0, $"{response.Destination} sent a malformed state accumulator: {why}");

    private static TimeSpan? RetryAfter(JsonDocument? body) =>
        body?.RootElement is { ValueKind: JsonValueKind.Object } error
        && error.TryGetProperty("retry_after_ms", out var value) && value.TryGetInt64(out var ms) && ms >= 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;
}
