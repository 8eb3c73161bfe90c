using Federation.Client.Diagnostics;

namespace Federation.Client.Tests.Diagnostics;

public sealed class DestinationLabelsTests
{
    [Fact]
    public void Destinations_within_the_limit_keep_their_names_and_later_ones_are_other()
    {
        var labels = new DestinationLabels(limit: 2);

        Assert.Equal("a.test", labels.For("a.test"));
        Assert.Equal("b.test", labels.For("b.test"));
        Assert.Equal(DestinationLabels.Other, labels.For("c.test"));
        Assert.Equal("a.test", labels.For("a.test"));
        Assert.Equal(DestinationLabels.Other, labels.For("c.test"));
    }

    [Fact]
    public void Thousands_of_destinations_give_at_most_the_limit_plus_one_label_values()
    {
        var labels = new DestinationLabels(limit: 100);

        var values = Enumerable.Range(0, 5_000).Select(i => labels.For($"server{i}.test")).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(101, values.Count);
        Assert.Contains(DestinationLabels.Other, values);
    }
}
