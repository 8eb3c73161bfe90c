using Federation.Protocol.Authentication;

namespace Federation.Protocol.Tests.Authentication;

public class XMatrixAuthorizationTests
{
    [Theory]
    [InlineData("X-Matrix origin=\"a.example\",destination=\"b.example\",key=\"ed25519:k1\",sig=\"c2ln\"")]
    [InlineData("X-Matrix origin=a.example,destination=b.example,key=ed25519:k1,sig=c2ln")]
    [InlineData("x-matrix   ORIGIN=\"a.example\" , Destination=\"b.example\",\tkey=\"ed25519:k1\" ,sig=c2ln")]
    [InlineData("X-Matrix origin=\"a.example\",extra=\"ignored\",destination=\"b.example\",key=\"ed25519:k1\",sig=\"c2ln\"")]
    public void TryParse_reads_every_accepted_spelling(string header)
    {
        Assert.True(XMatrixAuthorization.TryParse(header, out var parsed, out var error), error);
        Assert.Equal(new XMatrixAuthorization("a.example", "b.example", "ed25519:k1", "c2ln"), parsed);
    }

    [Fact]
    public void TryParse_unescapes_quoted_values_and_allows_a_missing_destination()
    {
        Assert.True(XMatrixAuthorization.TryParse("X-Matrix origin=\"a\\\"b:8448\",key=\"ed25519:k\",sig=\"s\"", out var parsed, out _));
        Assert.Equal("a\"b:8448", parsed.Origin);
        Assert.Null(parsed.Destination);
    }

    [Theory]
    [InlineData(null, "scheme")]
    [InlineData("", "scheme")]
    [InlineData("Bearer abc", "scheme")]
    [InlineData("X-Matrixorigin=a", "scheme")]
    [InlineData("X-Matrix key=\"ed25519:k\",sig=\"s\"", "origin")]
    [InlineData("X-Matrix origin=\"a\",sig=\"s\"", "key")]
    [InlineData("X-Matrix origin=\"a\",key=\"ed25519:k\"", "sig")]
    [InlineData("X-Matrix origin=\"a.example,key=ed25519:k,sig=s", "unterminated")]
    [InlineData("X-Matrix origin=\"a\" key=\"ed25519:k\",sig=\"s\"", "commas")]
    [InlineData("X-Matrix origin", "without a value")]
    public void TryParse_explains_what_is_wrong(string? header, string messagePart)
    {
        Assert.False(XMatrixAuthorization.TryParse(header, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(messagePart, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ToHeaderValue_round_trips_through_TryParse()
    {
        var original = new XMatrixAuthorization("a.example:8448", "b\"example", "ed25519:k1", "c2ln");
        Assert.True(XMatrixAuthorization.TryParse(original.ToHeaderValue(), out var parsed, out _));
        Assert.Equal(original, parsed);
    }
}
