using System.Text;
using Federation.Protocol.Crypto;

namespace Federation.Protocol.Tests.Crypto;

public class Ed25519Tests
{
    [Fact]
    public void Sign_then_Verify_round_trips_and_detects_a_changed_message()
    {
        var (publicKey, secretKey) = Ed25519.KeyPairFromSeed(new byte[32]);
        var signature = Ed25519.Sign("hello"u8, secretKey);

        Assert.Equal(Ed25519.SignatureLength, signature.Length);
        Assert.True(Ed25519.Verify("hello"u8, signature, publicKey));
        Assert.False(Ed25519.Verify("hellO"u8, signature, publicKey));
    }

    [Fact]
    public void KeyPairFromSeed_matches_rfc8032_test_vector_1()
    {
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        var (publicKey, secretKey) = Ed25519.KeyPairFromSeed(seed);

        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(publicKey));
        Assert.Equal(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(Ed25519.Sign([], secretKey)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void KeyPairFromSeed_refuses_a_seed_of_the_wrong_length(int length) =>
        Assert.Throws<ArgumentException>(() => Ed25519.KeyPairFromSeed(new byte[length]));

    [Theory]
    [InlineData(63, 32)]
    [InlineData(64, 31)]
    [InlineData(0, 0)]
    public void Verify_is_false_for_wrong_lengths_instead_of_throwing(int signatureLength, int keyLength) =>
        Assert.False(Ed25519.Verify(Encoding.UTF8.GetBytes("m"), new byte[signatureLength], new byte[keyLength]));

    [Fact]
    public void GenerateSeed_returns_distinct_32_byte_seeds()
    {
        var a = Ed25519.GenerateSeed();
        var b = Ed25519.GenerateSeed();
        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
    }
}
