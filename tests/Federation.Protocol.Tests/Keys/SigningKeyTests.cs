using Federation.Protocol.Keys;

namespace Federation.Protocol.Tests.Keys;

public class SigningKeyTests
{
    [Fact]
    public void Parse_reads_the_synapse_key_file_format_and_writes_it_back()
    {
        var key = SigningKey.Parse($"# comment\ned25519 1 {SpecVectors.Seed}\n");
        Assert.Equal("ed25519:1", key.KeyId);
        Assert.Equal(SpecVectors.Key.PublicKeyBase64, key.PublicKeyBase64);
        // The published seed has non-zero padding bits; it is written back in canonical base64 and still names the same key.
        Assert.Equal(key.PublicKeyBase64, SigningKey.Parse(key.ToKeyFileLine()).PublicKeyBase64);
        Assert.StartsWith("ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA", key.ToKeyFileLine(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "no signing key")]
    [InlineData("ed25519 1", "reads")]
    [InlineData("rsa 1 AAAA", "reads")]
    [InlineData("ed25519 1 AAAA", "32 bytes")]
    [InlineData("ed25519 1 !!!!", "32 bytes")]
    [InlineData("ed25519 bad-version YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1", "version")]
    public void Parse_refuses_malformed_key_files_with_a_clear_message(string text, string messagePart)
    {
        var error = Assert.Throws<FormatException>(() => SigningKey.Parse(text));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_makes_a_key_that_survives_a_round_trip_through_its_file_line()
    {
        var key = SigningKey.Generate("a_1");
        var reloaded = SigningKey.Parse(key.ToKeyFileLine());
        Assert.Equal(key.PublicKeyBase64, reloaded.PublicKeyBase64);
        Assert.Equal(key.KeyId, reloaded.KeyId);
    }
}
