using System.Text.Json.Nodes;
using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.StateHashes;

/// <summary>
/// A sender's claim about one PDU compared with our own fingerprints of the state before and after it. Only the parts
/// both sides have are compared; counts are never compared (MSC4500: equal counts are no evidence of equal state), they
/// only travel with a mismatch for diagnosis.
/// </summary>
public sealed record StateHashCheck(StateHashClaim Claimed, StateFingerprint? OurBefore, StateFingerprint? OurAfter)
{
    /// <summary>Whether the before digests were both present and differ.</summary>
    public bool BeforeDiffers => Claimed.Before is { } claimed && OurBefore is { } ours && claimed != ours.Digest;

    /// <summary>Whether the after digests were both present and differ.</summary>
    public bool AfterDiffers => Claimed.After is { } claimed && OurAfter is { } ours && claimed != ours.Digest;

    /// <summary>False when no part of the claim could be compared: the check is deferred or skipped, never a signal.</summary>
    public bool Compared => (Claimed.Before is not null && OurBefore is not null) || (Claimed.After is not null && OurAfter is not null);

    public bool IsMismatch => BeforeDiffers || AfterDiffers;

    /// <summary>
    /// The result MSC4500 puts under the PDU's <c>state_hash_mismatch</c>: the algorithm, and for each differing side
    /// our digest as <c>expected_*</c> and the sender's as <c>received_*</c> (the MSC shows the after side; the before
    /// side is added the same way when that one differs).
    /// </summary>
    public JsonObject ToMismatchJson()
    {
        var mismatch = new JsonObject { ["algorithm"] = TransactionStateHashes.Algorithm };
        if (AfterDiffers)
        {
            mismatch["expected_after"] = OurAfter!.Value.Digest.ToString();
            mismatch["received_after"] = Claimed.After!.Value.ToString();
        }

        if (BeforeDiffers)
        {
            mismatch["expected_before"] = OurBefore!.Value.Digest.ToString();
            mismatch["received_before"] = Claimed.Before!.Value.ToString();
        }

        return mismatch;
    }
}
