using System.Text.Json;
using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;
using Federation.Fuzz.Tests.Mutation;
using Federation.Fuzz.Tests.Properties;
using Federation.Protocol.Authentication;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;
using Xunit.Abstractions;

namespace Federation.Fuzz.Tests;

/// <summary>
/// <c>PUT /send</c> request bodies through the parsing the endpoint does: the body read as the API reads it, the
/// request signature checked over it (<see cref="RequestSigning"/>), the <c>pdus</c> array taken apart and each PDU
/// through the format check. (The endpoint's own glue, a few lines, is private to Federation.Api and not called.)
/// </summary>
public class TransactionBodyFuzzTests(ITestOutputHelper output)
{
    /// <summary>The options XMatrixAuthenticationFilter reads request bodies with.</summary>
    private static readonly JsonDocumentOptions BodyOptions = new() { MaxDepth = CanonicalJson.MaxDepth };

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Valid_transactions_verify_and_every_pdu_passes_the_format_check() => Task.Run(() =>
        new FuzzRun(nameof(Valid_transactions_verify_and_every_pdu_passes_the_format_check), 200, output).Check(
            random => TransactionGenerator.Next(random),
            transaction =>
            {
                PropertyViolationException.Unless(XMatrixAuthorization.TryParse(transaction.Header, out var authorization, out var error), $"header refused: {error}");
                using var body = JsonDocument.Parse(transaction.Body, BodyOptions);
                PropertyViolationException.Unless(Verifies(authorization, transaction, body.RootElement), "a valid request signature does not verify");
                var pdus = body.RootElement.GetProperty("pdus").EnumerateArray().ToList();
                for (var i = 0; i < pdus.Count; i++)
                {
                    PropertyViolationException.Unless(PduReceiveProperty.Check(pdus[i], transaction.PduVersions[i], original: null), $"PDU {i} was refused");
                }

                return true;
            },
            transaction => transaction.Body.Length,
            transaction => FuzzRun.Printable(transaction.Body)));

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Mutated_transactions_are_refused_or_processed_and_verify_only_when_unchanged() => Task.Run(() =>
        new FuzzRun(nameof(Mutated_transactions_are_refused_or_processed_and_verify_only_when_unchanged), 300, output).Check(
            random =>
            {
                var original = TransactionGenerator.Next(random);
                var donor = TransactionGenerator.Next(random);
                var (body, mutations) = JsonMutator.Mutate(random, original.Body, donor.Body);
                var header = original.Header;
                if (random.OneIn(4))
                {
                    (header, var headerMutations) = TextMutator.Mutate(random, header, donor.Header);
                    mutations += "; header: " + headerMutations;
                }

                return (Original: original, Body: body, Header: header, Mutations: mutations);
            },
            mutated =>
            {
                if (!XMatrixAuthorization.TryParse(mutated.Header, out var authorization, out _))
                {
                    return false;
                }

                JsonDocument body;
                try
                {
                    body = JsonDocument.Parse(mutated.Body, BodyOptions);
                }
                catch (JsonException)
                {
                    // Answered M_NOT_JSON by the authentication filter.
                    return false;
                }

                using (body)
                {
                    if (Verifies(authorization, mutated.Original, body.RootElement))
                    {
                        using var original = JsonDocument.Parse(mutated.Original.Body);
                        PropertyViolationException.Unless(
                            CanonicalJson.Encode(body.RootElement).AsSpan().SequenceEqual(CanonicalJson.Encode(original.RootElement)),
                            "a request whose body changed still verifies");
                    }

                    // A hostile server signs whatever it sends with its own key, so every body a signature can cover
                    // reaches the endpoint; one it cannot cover is answered 401 first.
                    return CouldBeSigned(mutated.Original, body.RootElement) && ReceivePdus(body.RootElement, mutated.Original.PduVersions);
                }
            },
            mutated => mutated.Body.Length + (mutated.Header.Length * 2),
            mutated => $"{mutated.Mutations}: {FuzzRun.Printable(mutated.Body)} / {FuzzRun.Printable(mutated.Header)}"));

    private static bool Verifies(XMatrixAuthorization authorization, GeneratedTransaction transaction, JsonElement body) =>
        RequestSigning.Verify(
            authorization, TransactionGenerator.Method, transaction.Uri, FuzzKeys.Destination.ServerName, body, FuzzKeys.Origin.SigningKey.PublicKey);

    private static bool CouldBeSigned(GeneratedTransaction transaction, JsonElement body)
    {
        try
        {
            _ = RequestSigning.SignedBytes(
                TransactionGenerator.Method, transaction.Uri, FuzzKeys.Origin.ServerName, FuzzKeys.Destination.ServerName, body);
            return true;
        }
        catch (CanonicalJsonException)
        {
            return false;
        }
    }

    /// <summary>What the endpoint does with a body that authenticated: a 'pdus' array, each PDU checked on its own.</summary>
    private static bool ReceivePdus(JsonElement body, IReadOnlyList<RoomVersion> versions)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("pdus", out var pdus) || pdus.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var index = 0;
        foreach (var pdu in pdus.EnumerateArray())
        {
            var version = versions.Count > 0 ? versions[index++ % versions.Count] : RoomVersion.Default;
            PduReceiveProperty.Check(pdu, version, original: null);
        }

        return true;
    }
}
