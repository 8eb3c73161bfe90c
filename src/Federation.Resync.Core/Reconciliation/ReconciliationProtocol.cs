namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// Negentropy protocol version 1 (hoytech/negentropy, docs/negentropy-protocol-v1.md), the part both sides share:
/// answering each range of a message — skip it when the fingerprints agree, split it into 16 fingerprinted buckets
/// (or list its ids when it holds fewer than 32) when they do not — under an optional frame-size limit. The
/// initiating side also collects the ids it has that the other lacks and those it lacks. Output is byte-for-byte what
/// the reference implementation produces.
/// </summary>
internal static class ReconciliationProtocol
{
    public const byte Version1 = 0x61;

    /// <summary>The smallest frame-size limit (bytes) the reference implementation accepts; 0 means no limit.</summary>
    public const int MinimumFrameSizeLimit = 4096;

    private const int Buckets = 16;

    /// <summary>Ranges with fewer items than this are sent as id lists.</summary>
    private const int IdListThreshold = Buckets * 2;

    /// <summary>Room kept under the limit for the closing fingerprint range.</summary>
    private const int FrameSizeReserve = 200;

    public static void CheckFrameSizeLimit(int frameSizeLimit)
    {
        if (frameSizeLimit != 0 && frameSizeLimit < MinimumFrameSizeLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(frameSizeLimit), frameSizeLimit, $"0 (no limit) or at least {MinimumFrameSizeLimit} bytes");
        }
    }

    /// <summary>The first message of the initiator: its whole set as one range, split.</summary>
    public static byte[] Initiate(IReconciliationItems items)
    {
        var output = new MessageWriter();
        output.WriteByte(Version1);
        SplitRange(items, 0, items.Count, RangeBound.Infinity, output);
        return output.ToArray();
    }

    /// <summary>
    /// Answers <paramref name="query"/>. <paramref name="differences"/> is null on the responding side, which only
    /// answers; on the initiating side it receives the ids each side lacks.
    /// </summary>
    /// <exception cref="ReconciliationFormatException">The message cannot be read.</exception>
    public static byte[] Answer(IReconciliationItems items, ReadOnlySpan<byte> query, int frameSizeLimit, IdDifferences? differences)
    {
        var initiator = differences is not null;
        var output = new MessageWriter();
        output.WriteByte(Version1);
        var reader = new MessageReader(query);
        var version = reader.ReadByte();
        if (version is < 0x60 or > 0x6F)
        {
            throw new ReconciliationFormatException($"Not a reconciliation message (version byte 0x{version:x2})");
        }

        if (version != Version1)
        {
            // The responder names the version it speaks so the initiator can retry; an initiator has nowhere to go.
            return initiator
                ? throw new ReconciliationFormatException($"The other side speaks protocol version {version - 0x60}, not 1")
                : output.ToArray();
        }

        var size = items.Count;
        var previousIndex = 0;
        var previousBound = default(RangeBound);
        var skipPending = false;
        while (!reader.AtEnd)
        {
            var rangeStart = output.Length;
            var bound = reader.ReadBound();
            var mode = reader.ReadMode();
            var lower = previousIndex;
            var upper = items.LowerBound(previousIndex, size, bound);
            switch (mode)
            {
                case ReconciliationMode.Skip:
                    skipPending = true;
                    break;

                case ReconciliationMode.Fingerprint:
                    if (reader.ReadFingerprint() == items.FingerprintOf(lower, upper))
                    {
                        skipPending = true;
                    }
                    else
                    {
                        FlushSkip(ref skipPending, previousBound, output);
                        SplitRange(items, lower, upper, bound, output);
                    }

                    break;

                case ReconciliationMode.IdList when initiator:
                    CollectDifferences(items, lower, upper, ref reader, differences!);
                    skipPending = true;
                    break;

                case ReconciliationMode.IdList:
                    for (var count = reader.ReadIdCount(); count > 0; count--)
                    {
                        reader.ReadId();
                    }

                    FlushSkip(ref skipPending, previousBound, output);
                    upper = WriteOwnIds(items, lower, upper, bound, rangeStart, frameSizeLimit, output);
                    rangeStart = output.Length;
                    break;
            }

            if (Exceeds(frameSizeLimit, output.Length))
            {
                // Out of room: drop this range's answer and close with one fingerprint over everything after it.
                output.Truncate(rangeStart);
                output.WriteBound(RangeBound.Infinity);
                output.WriteMode(ReconciliationMode.Fingerprint);
                output.WriteFingerprint(items.FingerprintOf(upper, size));
                break;
            }

            previousIndex = upper;
            previousBound = bound;
        }

        return output.ToArray();
    }

    /// <summary>
    /// Writes the responder's ids of [<paramref name="lower"/>, <paramref name="upper"/>) as an id list, stopping early
    /// (with a bound at the first id left out) when the frame-size limit would be passed.
    /// </summary>
    /// <returns>The end of what was listed.</returns>
    private static int WriteOwnIds(
        IReconciliationItems items, int lower, int upper, RangeBound bound, int frameStart, int frameSizeLimit, MessageWriter output)
    {
        var end = lower;
        var endBound = bound;
        while (end < upper)
        {
            // The limit is checked against what the message held before this range, plus the ids so far.
            if (Exceeds(frameSizeLimit, frameStart + ((end - lower) * ItemId.Size)))
            {
                endBound = RangeBound.At(items[end]);
                break;
            }

            end++;
        }

        output.WriteBound(endBound);
        output.WriteMode(ReconciliationMode.IdList);
        output.WriteVarint((ulong)(end - lower));
        for (var i = lower; i < end; i++)
        {
            output.WriteId(items[i].Id);
        }

        return end;
    }

    private static void CollectDifferences(IReconciliationItems items, int lower, int upper, ref MessageReader reader, IdDifferences differences)
    {
        var theirs = new HashSet<ItemId>();
        for (var count = reader.ReadIdCount(); count > 0; count--)
        {
            theirs.Add(reader.ReadId());
        }

        for (var i = lower; i < upper; i++)
        {
            var id = items[i].Id;
            if (!theirs.Remove(id))
            {
                differences.Have.Add(id);
            }
        }

        differences.Need.AddRange(theirs);
    }

    private static void FlushSkip(ref bool skipPending, RangeBound previousBound, MessageWriter output)
    {
        if (skipPending)
        {
            skipPending = false;
            output.WriteBound(previousBound);
            output.WriteMode(ReconciliationMode.Skip);
        }
    }

    /// <summary>Our view of [<paramref name="lower"/>, <paramref name="upper"/>): an id list when small, else 16 fingerprinted buckets.</summary>
    private static void SplitRange(IReconciliationItems items, int lower, int upper, RangeBound upperBound, MessageWriter output)
    {
        var count = upper - lower;
        if (count < IdListThreshold)
        {
            output.WriteBound(upperBound);
            output.WriteMode(ReconciliationMode.IdList);
            output.WriteVarint((ulong)count);
            for (var i = lower; i < upper; i++)
            {
                output.WriteId(items[i].Id);
            }

            return;
        }

        var perBucket = count / Buckets;
        var withExtra = count % Buckets;
        var current = lower;
        for (var bucket = 0; bucket < Buckets; bucket++)
        {
            var bucketSize = perBucket + (bucket < withExtra ? 1 : 0);
            var fingerprint = items.FingerprintOf(current, current + bucketSize);
            current += bucketSize;
            output.WriteBound(current == upper ? upperBound : RangeBound.Between(items[current - 1], items[current]));
            output.WriteMode(ReconciliationMode.Fingerprint);
            output.WriteFingerprint(fingerprint);
        }
    }

    private static bool Exceeds(int frameSizeLimit, int length) => frameSizeLimit != 0 && length > frameSizeLimit - FrameSizeReserve;
}
