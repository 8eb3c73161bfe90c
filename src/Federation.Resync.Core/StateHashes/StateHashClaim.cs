using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.StateHashes;

/// <summary>
/// What a transaction's sender asserts about the room state around one of its PDUs (MSC4500's per-PDU entry of
/// <c>state_hashes</c>): the digest and entry count of the state before the event and after it. Every part may be
/// absent; an entry with neither digest asserts nothing.
/// </summary>
public sealed record StateHashClaim(StateDigest? Before, StateDigest? After, long? CountBefore = null, long? CountAfter = null)
{
    /// <summary>Our own fingerprints of an event as a claim, for our outgoing transactions.</summary>
    public static StateHashClaim Of(StateFingerprint before, StateFingerprint after) =>
        new(before.Digest, after.Digest, before.Count, after.Count);

    /// <summary>
    /// Reads one entry leniently: a digest that is not 64 hex digits, or a count that is not a non-negative integer, is
    /// left out; null when nothing usable remains (or the value is not an object).
    /// </summary>
    public static StateHashClaim? Read(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var claim = new StateHashClaim(Digest(entry, "before"), Digest(entry, "after"), Count(entry, "n_before"), Count(entry, "n_after"));
        return claim.Before is null && claim.After is null ? null : claim;
    }

    /// <summary>The entry as MSC4500 writes it: <c>{before, after, n_before, n_after}</c>, absent parts left out.</summary>
    public JsonObject ToJson()
    {
        var entry = new JsonObject();
        if (Before is { } before)
        {
            entry["before"] = before.ToString();
        }

        if (After is { } after)
        {
            entry["after"] = after.ToString();
        }

        if (CountBefore is { } countBefore)
        {
            entry["n_before"] = countBefore;
        }

        if (CountAfter is { } countAfter)
        {
            entry["n_after"] = countAfter;
        }

        return entry;
    }

    private static StateDigest? Digest(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && StateDigest.TryParse(value.GetString(), out var digest)
            ? digest
            : null;

    private static long? Count(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0
            ? count
            : null;
}
