using System.Net;
using Federation.Client.Http;
using Federation.Testing.Homeservers;

namespace Federation.Client.Tests.Http;

public sealed class OutboundAddressPolicyTests
{
    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    public void Only_public_unicast_addresses_are_public(string address, bool isPublic) =>
        Assert.Equal(isPublic, OutboundAddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void Hosts_of_the_destinations_map_may_resolve_to_private_addresses()
    {
        var policy = OutboundAddressPolicy.For(new FederationClientOptions
        {
            Destinations = new(StringComparer.Ordinal) { ["hs2.test"] = "http://10.0.0.5:8008" },
        });

        Assert.True(policy.Allows("10.0.0.5", IPAddress.Parse("10.0.0.5")));
        Assert.False(policy.Allows("evil.example", IPAddress.Parse("10.0.0.5")));
    }

    [Fact]
    public async Task A_server_name_pointing_at_loopback_is_not_connected_to()
    {
        await using var local = await FakeHomeserver.StartAsync("victim.test");
        using var harness = new ClientHarness(ClientHarness.Destinations());
        var serverName = $"127.0.0.1:{local.BaseAddress.Port}";

        using var response = await harness.Client.GetAsync(serverName, "/_matrix/federation/v1/version", CancellationToken.None);

        Assert.False(response.IsSuccess);
        Assert.Contains("may not reach", response.Failure, StringComparison.Ordinal);
        Assert.Empty(local.Requests);
    }

    [Fact]
    public async Task Private_addresses_can_be_allowed_for_a_private_federation()
    {
        await using var local = await FakeHomeserver.StartAsync("neighbour.test");
        var settings = ClientHarness.Destinations();
        settings["FederationClient:AllowPrivateAddresses"] = "true";
        using var harness = new ClientHarness(settings);
        var serverName = $"127.0.0.1:{local.BaseAddress.Port}";

        using var response = await harness.Client.GetAsync(serverName, "/_matrix/federation/v1/version", CancellationToken.None);

        // Discovery asks for HTTPS and the neighbour speaks plain HTTP, so the request still fails, but past the policy.
        Assert.DoesNotContain("may not reach", response.Failure ?? "", StringComparison.Ordinal);
    }
}
