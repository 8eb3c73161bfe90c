using System.Text.Json;
using Federation.Client.Keys;
using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;
using Federation.Fuzz.Tests.Mutation;
using Federation.Protocol.Json;
using Xunit.Abstractions;

namespace Federation.Fuzz.Tests;

/// <summary><see cref="ServerKeysParser"/> on valid signed key responses and mutated ones.</summary>
public class ServerKeysParserFuzzTests(ITestOutputHelper output)
{
    /// <summary>The options the federation client reads response bodies with.</summary>
    private static readonly JsonDocumentOptions ClientOptions = new() { MaxDepth = CanonicalJson.MaxDepth };

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Valid_key_responses_yield_every_current_key_capped_at_seven_days() => Task.Run(() =>
        new FuzzRun(nameof(Valid_key_responses_yield_every_current_key_capped_at_seven_days), 1_000, output).Check(
            random => KeyResponseGenerator.Next(random),
            generated =>
            {
                using var document = JsonDocument.Parse(generated.Text, ClientOptions);
                var fetchedAt = KeyResponseGenerator.FetchedAt;
                PropertyViolationException.Unless(
                    ServerKeysParser.TryParse(document.RootElement, FuzzKeys.Origin.ServerName, fetchedAt, out var keys, out var error),
                    $"refused: {error}");
                var current = keys.Where(k => k.ExpiredAt is null).ToList();
                PropertyViolationException.Unless(current.Count == generated.CurrentKeys.Count, $"{current.Count} current keys, expected {generated.CurrentKeys.Count}");
                foreach (var key in current)
                {
                    PropertyViolationException.Unless(generated.CurrentKeys[key.KeyId].AsSpan().SequenceEqual(key.PublicKey), $"key {key.KeyId} changed");
                    PropertyViolationException.Unless(key.ValidUntil <= fetchedAt + ServerKeysParser.MaxValidity, "validity not capped");
                }

                return true;
            },
            generated => generated.Text.Length,
            generated => FuzzRun.Printable(generated.Text)));

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Mutated_key_responses_are_refused_or_yield_only_keys_the_server_signed() => Task.Run(() =>
        new FuzzRun(nameof(Mutated_key_responses_are_refused_or_yield_only_keys_the_server_signed), 1_000, output).Check(
            random =>
            {
                var (original, _) = KeyResponseGenerator.Next(random);
                var (donor, _) = KeyResponseGenerator.Next(random);
                var (text, mutations) = JsonMutator.Mutate(random, original, donor);
                return (Original: original, Text: text, Mutations: mutations);
            },
            mutated =>
            {
                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(mutated.Text, ClientOptions);
                }
                catch (JsonException)
                {
                    // The client reports a body that is not JSON before the parser sees it.
                    return false;
                }

                using (document)
                {
                    var accepted = ServerKeysParser.TryParse(
                        document.RootElement, FuzzKeys.Origin.ServerName, KeyResponseGenerator.FetchedAt, out var keys, out var error);
                    if (!accepted)
                    {
                        PropertyViolationException.Unless(!string.IsNullOrEmpty(error) && keys.Count == 0, "refused without an error, or with keys");
                        return false;
                    }

                    using var original = JsonDocument.Parse(mutated.Original);
                    PropertyViolationException.Unless(
                        JsonSigning.SignedBytes(document.RootElement).AsSpan().SequenceEqual(JsonSigning.SignedBytes(original.RootElement)),
                        "a response whose signed content changed was accepted");
                    PropertyViolationException.Unless(keys.All(k => k.ServerName == FuzzKeys.Origin.ServerName && k.PublicKey.Length == 32), "a key of another server or size");
                    return true;
                }
            },
            mutated => mutated.Text.Length,
            mutated => $"{mutated.Mutations}: {FuzzRun.Printable(mutated.Text)}"));
}
