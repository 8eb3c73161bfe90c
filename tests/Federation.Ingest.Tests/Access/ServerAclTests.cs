using System.Text.Json;
using Federation.Ingest.Access;

namespace Federation.Ingest.Tests.Access;

public class ServerAclTests
{
    private static ServerAcl Acl(string content) => ServerAcl.FromContent(JsonDocument.Parse(content).RootElement);

    private const string SpecExample = """{"allow":["*"],"allow_ip_literals":false,"deny":["*.evil.com","evil.com"]}""";

    [Theory]
    [InlineData("good.example", true)]
    [InlineData("good.example:8448", true)]
    [InlineData("evil.com", false)]
    [InlineData("sub.evil.com", false)]
    [InlineData("EVIL.COM", false)]
    [InlineData("notevil.com", true)]
    [InlineData("1.2.3.4", false)]
    [InlineData("1.2.3.4:8448", false)]
    [InlineData("[::1]:8448", false)]
    public void The_spec_example_denies_evil_and_ip_literals(string server, bool allowed) =>
        Assert.Equal(allowed, Acl(SpecExample).Allows(server));

    [Fact]
    public void Deny_wins_over_allow()
    {
        var acl = Acl("""{"allow":["*.example"],"deny":["bad.example"]}""");
        Assert.True(acl.Allows("good.example"));
        Assert.False(acl.Allows("bad.example"));
        Assert.False(acl.Allows("other.org"));
    }

    [Fact]
    public void A_missing_allow_list_allows_nobody()
    {
        Assert.False(Acl("""{"deny":[]}""").Allows("good.example"));
        Assert.False(Acl("{}").Allows("good.example"));
    }

    [Fact]
    public void Ip_literals_are_allowed_unless_refused_explicitly() =>
        Assert.True(Acl("""{"allow":["*"]}""").Allows("1.2.3.4"));

    [Fact]
    public void Question_mark_matches_one_character()
    {
        var acl = Acl("""{"allow":["s?.example"]}""");
        Assert.True(acl.Allows("s1.example"));
        Assert.False(acl.Allows("s12.example"));
    }

    [Fact]
    public void Malformed_entries_are_ignored_and_regex_characters_are_literal()
    {
        var acl = Acl("""{"allow":[5, null, "a+b.example"],"deny":"not a list"}""");
        Assert.True(acl.Allows("a+b.example"));
        Assert.False(acl.Allows("aab.example"));
    }

    [Fact]
    public void Without_an_acl_event_everyone_is_allowed()
    {
        Assert.True(ServerAcl.AllowAll.Allows("anything.example"));
        Assert.True(ServerAcl.AllowAll.Allows("1.2.3.4"));
    }
}
