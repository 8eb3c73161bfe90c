using System.Text;
using Federation.Protocol.Crypto;

namespace Federation.Protocol.Tests.Crypto;

public class UnpaddedBase64Tests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "Zg")]
    [InlineData("fo", "Zm8")]
    [InlineData("foo", "Zm9v")]
    [InlineData("foob", "Zm9vYg")]
    [InlineData("fooba", "Zm9vYmE")]
    [InlineData("foobar", "Zm9vYmFy")]
    public void Encode_matches_the_spec_examples(string text, string expected)
    {
        Assert.Equal(expected, UnpaddedBase64.Encode(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(text, Encoding.ASCII.GetString(UnpaddedBase64.Decode(expected)));
    }

    [Theory]
    [InlineData("Zg==", "f")]
    [InlineData("Zm8=", "fo")]
    public void Decode_accepts_padded_input(string encoded, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(UnpaddedBase64.Decode(encoded)));

    [Theory]
    [InlineData("Z")]
    [InlineData("Zm9v!")]
    [InlineData("Zg===")]
    [InlineData("Zm-_")]
    public void TryDecode_refuses_malformed_input(string encoded) => Assert.False(UnpaddedBase64.TryDecode(encoded, out _));

    [Fact]
    public void EncodeUrlSafe_uses_the_url_alphabet_without_padding()
    {
        byte[] bytes = [0xfb, 0xff, 0xbf];
        Assert.Equal("-_-_", UnpaddedBase64.EncodeUrlSafe(bytes));
        Assert.Equal("+/+/", UnpaddedBase64.Encode(bytes));
    }
}
