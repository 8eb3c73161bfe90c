using Federation.Client.Discovery;

namespace Federation.Client.Tests.Discovery;

public class ServerNamePartsTests
{
    [Theory]
    [InlineData("matrix.org", "matrix.org", null, false)]
    [InlineData("matrix.org:8888", "matrix.org", 8888, false)]
    [InlineData("1.2.3.4", "1.2.3.4", null, true)]
    [InlineData("1.2.3.4:1234", "1.2.3.4", 1234, true)]
    [InlineData("[1234:5678::abcd]", "[1234:5678::abcd]", null, true)]
    [InlineData("[1234:5678::abcd]:5678", "[1234:5678::abcd]", 5678, true)]
    public void TryParse_reads_the_spec_examples(string name, string host, int? port, bool isIpLiteral)
    {
        Assert.True(ServerNameParts.TryParse(name, out var parts));
        Assert.Equal(host, parts.Host);
        Assert.Equal(port, parts.Port);
        Assert.Equal(isIpLiteral, parts.IsIpLiteral);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("matrix.org:")]
    [InlineData("matrix.org:0")]
    [InlineData("matrix.org:65536")]
    [InlineData("matrix.org:12a")]
    [InlineData("matrix org")]
    [InlineData("matrix.org/path")]
    [InlineData("[1234:5678::abcd")]
    [InlineData("[not-ip]:80")]
    [InlineData("[::1]x")]
    public void TryParse_refuses_names_outside_the_grammar(string? name) => Assert.False(ServerNameParts.TryParse(name, out _));
}
