using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Core.StateHashes;

namespace Federation.Resync.Core.Tests.StateHashes;

public sealed class TransactionStateHashesTests
{
    private const string Before = "a85dfe1d480705482f37d582ffa27611117b577f8734532a5a6379bc666b2104";
    private const string After = "b85dfe1d480705482f37d582ffa27611117b577f8734532a5a6379bc666b2104";

    private static IReadOnlyDictionary<string, StateHashClaim> Read(string transaction) =>
        TransactionStateHashes.Read(JsonDocument.Parse(transaction).RootElement);

    private static StateDigest Digest(string hex) => StateDigest.TryParse(hex, out var digest) ? digest : throw new ArgumentException(hex);

    [Fact]
    public void The_example_of_the_proposal_reads_as_one_claim_with_both_digests_and_counts()
    {
        var claims = Read($$"""
            {"pdus": [], "tk.nutra.msc4500.state_hashes": {"algorithm": "lthash16",
              "$sample_pduid_abc123def456": {"before": "{{Before}}", "after": "{{After}}", "n_before": 2, "n_after": 3} } }
            """);

        var claim = Assert.Single(claims);
        Assert.Equal("$sample_pduid_abc123def456", claim.Key);
        Assert.Equal(new StateHashClaim(Digest(Before), Digest(After), 2, 3), claim.Value);
    }

    [Theory]
    [InlineData("""{"pdus": []}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": "not an object"}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": [1, 2]}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": {"algorithm": "lthash16-v1+redactions-v1", "$e": {"after": "B"}}}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": {"algorithm": 7, "$e": {"after": "B"}}}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": {"algorithm": "lthash16", "$e": "B"}}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": {"algorithm": "lthash16", "$e": {"after": "B0"}}}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": {"algorithm": "lthash16", "$e": {"after": 12, "before": null}}}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": {"algorithm": "lthash16", "$e": {"n_before": 2, "n_after": 2}}}""")]
    [InlineData("""{"tk.nutra.msc4500.state_hashes": {"algorithm": "lthash16", "entries": {"$e": {"after": "B"}}}}""")]
    [InlineData("""{"state_hashes": {"algorithm": "lthash16", "$e": {"after": "B"}}}""")]
    public void Anything_malformed_other_algorithms_and_other_shapes_give_no_claims(string transaction)
    {
        Assert.Empty(Read(transaction.Replace("\"B\"", $"\"{After}\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_bad_part_of_an_entry_is_left_out_and_the_rest_kept()
    {
        var claims = Read($$"""
            {"tk.nutra.msc4500.state_hashes": {
              "$e": {"before": "zz", "after": "{{After.ToUpperInvariant()}}", "n_before": -1, "n_after": 1.5},
              "$f": {"before": "{{Before}}", "n_before": 4} } }
            """);

        Assert.Equal(new StateHashClaim(null, Digest(After)), claims["$e"]);
        Assert.Equal(new StateHashClaim(Digest(Before), null, 4), claims["$f"]);
    }

    [Fact]
    public void Reading_never_fails_whatever_value_stands_in_any_place_of_the_field()
    {
        var random = new Random(4500);
        JsonNode? AnyValue() => random.Next(9) switch
        {
            0 => null,
            1 => random.Next(2) == 0,
            2 => random.NextInt64(long.MinValue, long.MaxValue),
            3 => random.NextDouble() * 1e30,
            4 => new string('f', random.Next(70)),
            5 => After,
            6 => new JsonArray(After, 1),
            7 => new JsonObject { ["after"] = AnyValue() },
            _ => JsonNode.Parse("18446744073709551616"),
        };

        for (var i = 0; i < 1_000; i++)
        {
            var entry = new JsonObject { ["before"] = Before, ["after"] = After, ["n_before"] = 1, ["n_after"] = 2 };
            var hashes = new JsonObject { ["algorithm"] = "lthash16", ["$e"] = entry, ["$f"] = entry.DeepClone() };
            var places = new JsonObject[] { entry, hashes, (JsonObject)hashes["$f"]! };
            var place = places[random.Next(places.Length)];
            var key = random.Next(3) == 0 ? "$x" : place.Select(p => p.Key).ElementAt(random.Next(place.Count));
            place[key] = AnyValue();
            var transaction = new JsonObject { [TransactionStateHashes.UnstableKey] = random.Next(20) == 0 ? AnyValue() : hashes };

            var claims = TransactionStateHashes.Read(JsonDocument.Parse(transaction.ToJsonString()).RootElement);

            Assert.All(claims, c => Assert.True(c.Value.Before is not null || c.Value.After is not null));
            Assert.All(claims, c => Assert.True(c.Value.CountBefore is null or >= 0 && c.Value.CountAfter is null or >= 0));
        }
    }

    [Fact]
    public void What_is_written_reads_back_the_same_with_the_algorithm_named()
    {
        var claims = new Dictionary<string, StateHashClaim>
        {
            ["$a"] = new(Digest(Before), Digest(After), 5, 6),
            ["$b"] = new(Digest(After), Digest(After), 6, 6),
        };

        var written = TransactionStateHashes.Write(claims);
        using var transaction = JsonDocument.Parse($$"""{"{{TransactionStateHashes.UnstableKey}}": {{written.ToJsonString()}} }""");

        Assert.Equal("lthash16", written["algorithm"]!.GetValue<string>());
        Assert.Equal(Before, written["$a"]!["before"]!.GetValue<string>());
        Assert.Equal(claims, TransactionStateHashes.Read(transaction.RootElement));
    }
}
