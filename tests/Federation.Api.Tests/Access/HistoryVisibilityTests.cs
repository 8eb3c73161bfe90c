using Federation.Api.Access;

namespace Federation.Api.Tests.Access;

public class HistoryVisibilityTests
{
    [Theory]
    [InlineData("world_readable", new string?[0], true)]
    [InlineData("shared", new string?[0], true)]
    [InlineData(null, new string?[0], true)]
    [InlineData("something_new", new string?[0], true)]
    [InlineData("joined", new string?[] { "leave", null }, false)]
    [InlineData("joined", new string?[] { "leave", "join" }, true)]
    [InlineData("joined", new string?[] { "invite" }, false)]
    [InlineData("invited", new string?[] { "invite" }, true)]
    [InlineData("invited", new string?[] { "join" }, true)]
    [InlineData("invited", new string?[] { "ban", "knock" }, false)]
    public void A_server_sees_an_event_by_visibility_and_its_users_memberships(string? visibility, string?[] memberships, bool visible) =>
        Assert.Equal(visible, HistoryVisibility.ServerMaySee(visibility, memberships));
}
