using System.Security.Cryptography;

namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// The sum of ids read as little-endian 256-bit numbers, modulo 2^256: what a range fingerprint hashes. Sums subtract,
/// so the sum of any index range is the difference of two prefix sums.
/// </summary>
public readonly record struct IdSum(ulong L0, ulong L1, ulong L2, ulong L3)
{
    public static IdSum Zero => default;

    public static IdSum Of(ItemId id) => new(id.LittleEndianLimb(0), id.LittleEndianLimb(1), id.LittleEndianLimb(2), id.LittleEndianLimb(3));

    public IdSum Add(IdSum other)
    {
        var r0 = L0 + other.L0;
        ulong carry = r0 < L0 ? 1UL : 0UL;
        var (r1, c1) = AddWithCarry(L1, other.L1, carry);
        var (r2, c2) = AddWithCarry(L2, other.L2, c1);
        var (r3, _) = AddWithCarry(L3, other.L3, c2);
        return new IdSum(r0, r1, r2, r3);
    }

    public IdSum Subtract(IdSum other) => Add(other.Negate());

    /// <summary>The two's complement: the number that adds to this one to give zero modulo 2^256.</summary>
    public IdSum Negate() => new IdSum(~L0, ~L1, ~L2, ~L3).Add(new IdSum(1, 0, 0, 0));

    /// <summary>The protocol's fingerprint of a range with this sum and <paramref name="count"/> items: the first 16 bytes of
    /// SHA-256(sum as 32 little-endian bytes ‖ varint(count)).</summary>
    public Fingerprint ToFingerprint(ulong count)
    {
        Span<byte> input = stackalloc byte[32 + Varint.MaxLength];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(input, L0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(input[8..], L1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(input[16..], L2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(input[24..], L3);
        var length = 32 + Varint.Write(count, input[32..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..length], hash);
        return Fingerprint.FromBytes(hash[..Fingerprint.Size]);
    }

    private static (ulong Sum, ulong Carry) AddWithCarry(ulong a, ulong b, ulong carryIn)
    {
        var partial = a + b;
        var carry = partial < a ? 1UL : 0UL;
        var sum = partial + carryIn;
        return (sum, sum < partial ? carry + 1 : carry);
    }
}
