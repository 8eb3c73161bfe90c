using System.Text.Json;
using System.Text.Json.Nodes;

namespace Federation.Resync.Core.StateHashes;

/// <summary>
/// MSC4500's per-transaction state digests, under its unstable names: the <c>/send</c> body carries
/// <c>{"tk.nutra.msc4500.state_hashes": {"algorithm": "lthash16", "$event": {before, after, n_before, n_after}}}</c>
/// (the sender's own view of each PDU it sends), and the receiver may answer a PDU's result with
/// <c>{"tk.nutra.msc4500.state_hash_mismatch": {algorithm, expected_after, received_after}}</c>.
/// </summary>
public static class TransactionStateHashes
{
    /// <summary>The key at the root of the <c>/send</c> body (unstable for <c>state_hashes</c>).</summary>
    public const string UnstableKey = "tk.nutra.msc4500.state_hashes";

    /// <summary>The key in a PDU's result of the <c>/send</c> answer (unstable for <c>state_hash_mismatch</c>).</summary>
    public const string UnstableMismatchKey = "tk.nutra.msc4500.state_hash_mismatch";

    /// <summary>The digest family of the accumulator this server implements.</summary>
    public const string Algorithm = "lthash16";

    /// <summary>
    /// The claims of a <c>/send</c> body, by event id. Never fails: an absent or malformed object, an algorithm other
    /// than <see cref="Algorithm"/> (MSC4500: skip the whole transaction), and entries that assert nothing give no
    /// claims. Keys not starting with <c>$</c> are meta-keys, never PDUs.
    /// </summary>
    public static IReadOnlyDictionary<string, StateHashClaim> Read(JsonElement transaction)
    {
        var claims = new Dictionary<string, StateHashClaim>(StringComparer.Ordinal);
        if (transaction.ValueKind != JsonValueKind.Object
            || !transaction.TryGetProperty(UnstableKey, out var hashes) || hashes.ValueKind != JsonValueKind.Object
            || (hashes.TryGetProperty("algorithm", out var algorithm)
                && (algorithm.ValueKind != JsonValueKind.String || algorithm.GetString() != Algorithm)))
        {
            return claims;
        }

        foreach (var entry in hashes.EnumerateObject())
        {
            if (entry.Name.StartsWith('$') && StateHashClaim.Read(entry.Value) is { } claim)
            {
                claims[entry.Name] = claim;
            }
        }

        return claims;
    }

    /// <summary>The object to put under <see cref="UnstableKey"/>: the algorithm and one entry per claim.</summary>
    public static JsonObject Write(IEnumerable<KeyValuePair<string, StateHashClaim>> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var hashes = new JsonObject { ["algorithm"] = Algorithm };
        foreach (var (eventId, claim) in claims)
        {
            hashes[eventId] = claim.ToJson();
        }

        return hashes;
    }
}
