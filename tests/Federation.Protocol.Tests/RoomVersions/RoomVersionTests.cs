using Federation.Protocol.Errors;
using Federation.Protocol.RoomVersions;

namespace Federation.Protocol.Tests.RoomVersions;

public class RoomVersionTests
{
    [Fact]
    public void All_lists_versions_1_to_12_in_order() =>
        Assert.Equal(Enumerable.Range(1, 12).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), RoomVersion.All.Select(v => v.Id));

    [Theory]
    [InlineData("13")]
    [InlineData("org.matrix.msc0000")]
    [InlineData("")]
    [InlineData(null)]
    public void Get_refuses_unknown_versions_with_unsupported_room_version(string? id)
    {
        var error = Assert.Throws<MatrixException>(() => RoomVersion.Get(id));
        Assert.Equal(ErrorCode.UnsupportedRoomVersion, error.ErrorCode);
    }

    [Theory]
    [InlineData("1", StateResolutionAlgorithm.V1, EventIdFormat.OriginSupplied)]
    [InlineData("2", StateResolutionAlgorithm.V2, EventIdFormat.OriginSupplied)]
    [InlineData("3", StateResolutionAlgorithm.V2, EventIdFormat.ReferenceHashStandardBase64)]
    [InlineData("4", StateResolutionAlgorithm.V2, EventIdFormat.ReferenceHashUrlSafeBase64)]
    [InlineData("11", StateResolutionAlgorithm.V2, EventIdFormat.ReferenceHashUrlSafeBase64)]
    [InlineData("12", StateResolutionAlgorithm.V21, EventIdFormat.ReferenceHashUrlSafeBase64)]
    public void Versions_use_their_state_resolution_and_event_id_format(string id, StateResolutionAlgorithm algorithm, EventIdFormat format)
    {
        var version = RoomVersion.Get(id);
        Assert.Equal(algorithm, version.StateResolution);
        Assert.Equal(format, version.EventIdFormat);
    }

    [Fact]
    public void Capabilities_switch_on_at_the_version_that_introduced_them()
    {
        static int FirstWith(Func<RoomVersion, bool> capability) =>
            int.Parse(RoomVersion.All.First(capability).Id, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(5, FirstWith(v => v.EnforcesKeyValidity));
        Assert.Equal(6, FirstWith(v => v.EnforcesCanonicalJson));
        Assert.Equal(6, FirstWith(v => v.LimitsNotificationsPowerLevels));
        Assert.Equal(7, FirstWith(v => v.AllowsKnocking));
        Assert.Equal(8, FirstWith(v => v.AllowsRestrictedJoins));
        Assert.Equal(8, FirstWith(v => v.RedactionKeepsJoinRulesAllow));
        Assert.Equal(9, FirstWith(v => v.RedactionKeepsJoinAuthorisedVia));
        Assert.Equal(10, FirstWith(v => v.AllowsKnockRestrictedJoins));
        Assert.Equal(10, FirstWith(v => v.RequiresIntegerPowerLevels));
        Assert.Equal(11, FirstWith(v => v.CreatorIsCreateEventSender));
        Assert.Equal(11, FirstWith(v => v.UsesV11Redaction));
        Assert.Equal(12, FirstWith(v => v.RoomIdIsCreateEventHash));
        Assert.Equal(12, FirstWith(v => v.HasPrivilegedCreators));
    }

    [Fact]
    public void Capabilities_that_were_removed_stop_at_the_right_version()
    {
        Assert.True(RoomVersion.Get("5").HasAliasesAuthRule);
        Assert.False(RoomVersion.Get("6").HasAliasesAuthRule);
        Assert.True(RoomVersion.Get("2").HasRedactionAuthRule);
        Assert.False(RoomVersion.Get("3").HasRedactionAuthRule);
        Assert.True(RoomVersion.Get("5").RedactionKeepsAliases);
        Assert.False(RoomVersion.Get("6").RedactionKeepsAliases);
    }
}
