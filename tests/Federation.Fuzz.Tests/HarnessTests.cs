using System.Text;
using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;
using Federation.Fuzz.Tests.Mutation;

namespace Federation.Fuzz.Tests;

/// <summary>The harness itself: a seed must mean the same inputs, and the hostile values must be what they claim.</summary>
public class HarnessTests
{
    [Fact]
    public void The_same_seed_test_and_index_draw_the_same_input_and_another_index_another()
    {
        byte[] Draw(long index) => SignedPduGenerator.Next(FuzzRandom.ForInput(42, "test", index)).Text;

        Assert.Equal(Draw(7), Draw(7));
        Assert.NotEqual(Draw(7), Draw(8));
    }

    [Fact]
    public void The_same_seed_mutates_the_same_way()
    {
        var original = Encoding.UTF8.GetBytes("{\"a\":[1,2,{\"b\":\"c\"}],\"d\":null}");

        var first = JsonMutator.Mutate(FuzzRandom.ForInput(1, "m", 3), original, original);
        var second = JsonMutator.Mutate(FuzzRandom.ForInput(1, "m", 3), original, original);

        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Mutations, second.Mutations);
    }

    [Fact]
    public void The_hostile_values_include_nesting_ten_thousand_deep_and_invalid_utf8()
    {
        Assert.Contains(HostileValues.Values, v => v.Length >= 2 * HostileValues.DeepNesting && v.Take(HostileValues.DeepNesting).All(b => b == (byte)'['));
        Assert.Contains(HostileValues.Values, v => !System.Text.Unicode.Utf8.IsValid(v));
        Assert.Contains(HostileValues.Values, v => v.Length > HostileValues.OversizeLength);
    }

    [Fact]
    public void The_token_scanner_finds_keys_strings_numbers_and_literals()
    {
        var tokens = JsonTokenScanner.Scan("{\"k\\\"\" : \"v\", \"n\":-1.5e3,\"t\":true}"u8);

        Assert.Equal(
            [JsonTokenKind.Open, JsonTokenKind.Key, JsonTokenKind.StringValue, JsonTokenKind.Key, JsonTokenKind.Number, JsonTokenKind.Key, JsonTokenKind.Literal],
            tokens.Select(t => t.Kind));
    }
}
