using System.Text.Json;
using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;
using Federation.Fuzz.Tests.Mutation;
using Federation.Fuzz.Tests.Properties;
using Federation.Ingest.Checks;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;
using Xunit.Abstractions;

namespace Federation.Fuzz.Tests;

/// <summary>PDUs of every room version (1–12), valid and mutated, through <see cref="Pdu"/> and <see cref="PduFormatCheck"/>.</summary>
public class PduFuzzTests(ITestOutputHelper output)
{
    /// <summary>The options the federation API reads request bodies with: any JSON a sender can get past the transport.</summary>
    private static readonly JsonDocumentOptions TransportOptions = new() { MaxDepth = CanonicalJson.MaxDepth };

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Valid_signed_pdus_of_every_room_version_parse_verify_and_keep_their_event_id() => Task.Run(() =>
        new FuzzRun(nameof(Valid_signed_pdus_of_every_room_version_parse_verify_and_keep_their_event_id), 600, output).Check(
            random => SignedPduGenerator.Next(random, RoomVersion.All[random.Next(RoomVersion.All.Count)]),
            generated =>
            {
                var version = generated.Version;
                using var strict = CanonicalJson.Parse(generated.Text, version.EnforcesCanonicalJson);
                var json = strict.RootElement;
                var pdu = Pdu.Parse(json, version);
                PropertyViolationException.Unless(PduFormatCheck.Check(json, version, enforceReferenceLimits: true, out _).IsAccepted, "the format check refused a valid event");
                PropertyViolationException.Unless(EventSigning.HasValidContentHash(pdu), "a valid event's content hash does not match");
                var origin = FuzzKeys.Origin;
                PropertyViolationException.Unless(
                    EventSigning.VerifySignature(pdu, origin.ServerName, origin.SigningKey.KeyId, origin.SigningKey.PublicKey),
                    "a valid event's signature does not verify");
                if (version.EventIdFormat != EventIdFormat.OriginSupplied)
                {
                    var expected = Pdu.EventIdFromReferenceHash(EventHashes.ReferenceHash(json, version), version);
                    PropertyViolationException.Unless(pdu.EventId == expected, $"event id {pdu.EventId} is not the reference hash {expected}");
                }

                if (version.RoomIdIsCreateEventHash && pdu.IsCreateEvent)
                {
                    PropertyViolationException.Unless(pdu.RoomId == "!" + pdu.EventId[1..], "a v12 create event's room id is not its hash");
                }

                // The same event received in another spelling (canonical, or with the JSON re-serialised) has the same id.
                return PduReceiveProperty.Check(json, version, OriginalPdu.Of(json, version))
                    && Pdu.Parse(SignedPduGenerator.Element(CanonicalJson.Encode(json)), version).EventId == pdu.EventId;
            },
            generated => generated.Text.Length,
            generated => $"room version {generated.Version.Id}: {FuzzRun.Printable(generated.Text)}"));

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Mutated_pdus_are_refused_or_parsed_and_verify_only_when_the_mutation_changed_nothing_signed() => Task.Run(() =>
        new FuzzRun(nameof(Mutated_pdus_are_refused_or_parsed_and_verify_only_when_the_mutation_changed_nothing_signed), 600, output).Check(
            random =>
            {
                var original = SignedPduGenerator.Next(random);
                var donor = SignedPduGenerator.Next(random, original.Version);
                var (text, mutations) = JsonMutator.Mutate(random, original.Text, donor.Text);
                return new MutatedPdu(original, text, mutations);
            },
            mutated =>
            {
                var version = mutated.Original.Version;
                var original = OriginalPdu.Of(SignedPduGenerator.Element(mutated.Original.Text), version);
                return ReceiveBothWays(mutated.Text, version, original);
            },
            mutated => mutated.Text.Length,
            mutated => mutated.ToString()));

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Signed_pdus_with_hostile_field_values_are_refused_or_parsed_never_thrown_on() => Task.Run(() =>
        new FuzzRun(nameof(Signed_pdus_with_hostile_field_values_are_refused_or_parsed_never_thrown_on), 200, output).Check(
            random =>
            {
                var version = random.Pick(RoomVersion.All);
                var pdu = SignedPduGenerator.BeforeSigning(random, version);
                var change = HostileFields.Apply(random, pdu);
                if (random.NextBool())
                {
                    change += ", " + HostileFields.Apply(random, pdu);
                }

                try
                {
                    EventSigning.HashAndSign(pdu, version, FuzzKeys.Origin.ServerName, FuzzKeys.Origin.SigningKey);
                }
                catch (Exception e) when (e is CanonicalJsonException or JsonException)
                {
                    // Too deep or not encodable: such an event cannot be signed, so it is sent unsigned.
                    change += " (unsigned)";
                }

                return new MutatedPdu(new GeneratedPdu(version, []), JsonTextFormatter.Write(random, pdu), change);
            },
            mutated => ReceiveBothWays(mutated.Text, mutated.Original.Version, original: null),
            mutated => mutated.Text.Length,
            mutated => mutated.ToString()));

    /// <summary>
    /// Receives the text as the /send endpoint does (a lenient parse, then the PDU checks) and as a strict canonical
    /// parse would; either parse may refuse it only with its own exception type.
    /// </summary>
    private static bool ReceiveBothWays(byte[] text, RoomVersion version, OriginalPdu? original)
    {
        var accepted = false;
        try
        {
            using var document = JsonDocument.Parse(text, TransportOptions);
            accepted = PduReceiveProperty.Check(document.RootElement, version, original);
        }
        catch (JsonException)
        {
            // Not JSON: the transport answers M_NOT_JSON before any PDU is looked at.
        }

        try
        {
            using var canonical = CanonicalJson.Parse(text, version.EnforcesCanonicalJson);
            _ = CanonicalJson.Encode(canonical.RootElement);
            PduReceiveProperty.Check(canonical.RootElement, version, original);
        }
        catch (CanonicalJsonException)
        {
            // Refused with the documented error.
        }

        return accepted;
    }
}
