using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.Tests.Fingerprints;

public sealed class Blake2bTests
{
    [Fact]
    public void Blake2b_512_of_abc_is_the_rfc_7693_appendix_a_vector()
    {
        var digest = Blake2b.Hash("abc"u8, 64);

        Assert.Equal(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void The_rfc_7693_appendix_e_self_test_gives_the_published_hash_of_hashes()
    {
        int[] digestLengths = [20, 32, 48, 64];
        int[] inputLengths = [0, 3, 128, 129, 255, 1024];
        var grand = new Blake2b(32);
        foreach (var outputLength in digestLengths)
        {
            foreach (var inputLength in inputLengths)
            {
                var input = SelfTestSequence(inputLength, (uint)inputLength);
                grand.Update(Blake2b.Hash(input, outputLength));
                var key = SelfTestSequence(outputLength, (uint)outputLength);
                grand.Update(Blake2b.Hash(input, outputLength, key));
            }
        }

        var result = new byte[32];
        grand.Finish(result);

        Assert.Equal("c23a7800d98123bd10f506c61e29da5603d763b8bbad2e737f5e765a7bccd475", Convert.ToHexStringLower(result));
    }

    [Fact]
    public void Blake2b_256_of_nothing_is_the_published_empty_digest()
    {
        var digest = new byte[32];
        Blake2b.Hash256([], digest);

        Assert.Equal("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Hashing_in_pieces_equals_hashing_at_once_across_block_boundaries()
    {
        var data = SelfTestSequence(1000, 7);
        var whole = Blake2b.Hash(data, 32);
        foreach (var cut in new[] { 1, 127, 128, 129, 256, 999 })
        {
            var pieces = new Blake2b(32);
            pieces.Update(data.AsSpan(0, cut));
            pieces.Update(data.AsSpan(cut));
            var result = new byte[32];
            pieces.Finish(result);
            Assert.Equal(whole, result);
        }
    }

    // RFC 7693 Appendix E: a Fibonacci-like generator seeded with the length.
    private static byte[] SelfTestSequence(int length, uint seed)
    {
        var output = new byte[length];
        var a = unchecked(0xDEAD4BAD * seed);
        var b = 1u;
        for (var i = 0; i < length; i++)
        {
            var t = unchecked(a + b);
            a = b;
            b = t;
            output[i] = (byte)(t >> 24);
        }

        return output;
    }
}
