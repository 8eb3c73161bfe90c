using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest.StateHashes;
using Federation.Protocol.Events;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Core.StateHashes;
using Federation.Resync.Divergence;
using Federation.Resync.StateHashes;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Tests.Send;

/// <summary>
/// A remote homeserver sends MSC4500 state digests with its PDUs: ours are compared with them, a mismatch is answered
/// in the PDU's result (or recorded once the queue has processed the event when its state was not known yet), and the
/// PDU is taken in either way.
/// </summary>
public sealed class SendStateHashesTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    private const string WrongDigest = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private IReadOnlyList<StateHashMismatch> Mismatches => Server.Services.GetRequiredService<StateHashRecord>().RecentMismatches;

    private async Task<JsonElement> PushAsync(string txnId, IReadOnlyList<Pdu> pdus, JsonNode? stateHashes)
    {
        using var client = Server.CreateClient();
        var body = new JsonObject
        {
            ["origin"] = Remote.ServerName,
            ["origin_server_ts"] = 1,
            ["pdus"] = new JsonArray([.. pdus.Select(p => JsonNode.Parse(p.Json.GetRawText()))]),
        };
        if (stateHashes is not null)
        {
            body[TransactionStateHashes.UnstableKey] = stateHashes;
        }

        using var response = await Remote.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/" + txnId, body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        await QueueDrainedAsync();
        return JsonDocument.Parse(text).RootElement.GetProperty("pdus").Clone();
    }

    private static JsonObject Hashes(params (string EventId, object Entry)[] entries)
    {
        var hashes = new JsonObject { ["algorithm"] = TransactionStateHashes.Algorithm };
        foreach (var (eventId, entry) in entries)
        {
            hashes[eventId] = entry is StateHashClaim claim ? claim.ToJson() : JsonSerializer.SerializeToNode(entry);
        }

        return hashes;
    }

    private async Task<StoredStateFingerprint> AfterAsync(string eventId) =>
        (await Store.GetStateFingerprintAsync(Room.RoomId, eventId, StatePosition.After))!;

    private async Task<EventStatus?> StatusAsync(string eventId) => (await Store.GetEventsAsync([eventId])).SingleOrDefault()?.Status;

    [Fact]
    public async Task A_message_with_our_digests_is_accepted_with_a_plain_result()
    {
        var ours = (await AfterAsync(Room.Last.EventId)).Fingerprint;
        var message = Room.Message($"@alice:{Remote.ServerName}", "in step");

        var results = await PushAsync("h1", [message], Hashes((message.EventId, StateHashClaim.Of(ours, ours))));

        Assert.Equal("{}", results.GetProperty(message.EventId).GetRawText());
        Assert.Equal(EventStatus.Accepted, await StatusAsync(message.EventId));
        Assert.DoesNotContain(Mismatches, m => m.EventId == message.EventId);
    }

    [Fact]
    public async Task A_wrong_after_digest_on_a_message_is_answered_as_a_mismatch_and_the_message_is_still_accepted()
    {
        var ours = (await AfterAsync(Room.Last.EventId)).Fingerprint;
        var message = Room.Message($"@alice:{Remote.ServerName}", "out of step");

        var results = await PushAsync(
            "h2", [message], Hashes((message.EventId, new { before = ours.Digest.ToString(), after = WrongDigest, n_before = ours.Count, n_after = ours.Count })));

        var mismatch = results.GetProperty(message.EventId).GetProperty(TransactionStateHashes.UnstableMismatchKey);
        Assert.Equal("lthash16", mismatch.GetProperty("algorithm").GetString());
        Assert.Equal(ours.Digest.ToString(), mismatch.GetProperty("expected_after").GetString());
        Assert.Equal(WrongDigest, mismatch.GetProperty("received_after").GetString());
        Assert.False(mismatch.TryGetProperty("expected_before", out _));
        Assert.Equal(EventStatus.Accepted, await StatusAsync(message.EventId));
        var recorded = Assert.Single(Mismatches, m => m.EventId == message.EventId);
        Assert.Equal((Remote.ServerName, StateHashTiming.AtSend), (recorded.Origin, recorded.Timing));
    }

    [Fact]
    public async Task A_mismatch_has_the_room_probed_where_it_was_found_once_per_probe_interval()
    {
        var probes = Server.Services.GetServices<IDivergenceProbeRequests>().OfType<MismatchProbes>().Single();
        var comparedAt = Room.Last.EventId;
        var first = Room.Message($"@alice:{Remote.ServerName}", "wrong once");
        await PushAsync("h6", [first], Hashes((first.EventId, new { after = WrongDigest })));
        var probe = probes.ProbeOf(Room.RoomId);
        await probe.WaitAsync(TimeSpan.FromMinutes(1));

        var second = Room.Message($"@alice:{Remote.ServerName}", "wrong twice");
        await PushAsync("h7", [second], Hashes((second.EventId, new { after = WrongDigest })));

        Assert.Equal(2, Mismatches.Count);
        Assert.Same(probe, probes.ProbeOf(Room.RoomId));
        // Asked at the state the message was compared at (its prev's), which we held when the mismatch was found.
        Assert.Equal(comparedAt, Server.Services.GetRequiredService<DivergenceReports>().Latest(Room.RoomId)!.ProbeEvent);
    }

    [Theory]
    [InlineData("h3a", "\"not an object\"")]
    [InlineData("h3b", "[1, 2, 3]")]
    [InlineData("h3c", "{\"algorithm\": \"lthash16\", \"$E\": {\"before\": 12, \"after\": \"xyz\", \"n_before\": \"two\"}}")]
    [InlineData("h3d", "{\"algorithm\": \"something-else\", \"$E\": {\"after\": \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}}")]
    public async Task A_malformed_or_foreign_state_hashes_field_is_ignored(string txnId, string field)
    {
        var message = Room.Message($"@alice:{Remote.ServerName}", "odd field");

        var results = await PushAsync(txnId, [message], JsonNode.Parse(field.Replace("$E", message.EventId, StringComparison.Ordinal)));

        Assert.Equal("{}", results.GetProperty(message.EventId).GetRawText());
        Assert.Equal(EventStatus.Accepted, await StatusAsync(message.EventId));
        Assert.DoesNotContain(Mismatches, m => m.EventId == message.EventId);
    }

    [Fact]
    public async Task State_events_are_checked_once_the_queue_has_processed_them_and_only_the_wrong_claim_is_recorded()
    {
        var prev = await AfterAsync(Room.Last.EventId);
        var topic = Room.Add($"@alice:{Remote.ServerName}", EventTypes.Topic, "", new JsonObject { ["topic"] = "digests" });
        var name = Room.Add($"@alice:{Remote.ServerName}", EventTypes.Name, "", new JsonObject { ["name"] = "Digests" });
        var afterTopic = StateAccumulator.From(prev.Lattice.Span, prev.Count);
        afterTopic.Add(new StateEntry(EventTypes.Topic, "", topic.EventId));

        var results = await PushAsync(
            "h4",
            [topic, name],
            Hashes(
                (topic.EventId, StateHashClaim.Of(prev.Fingerprint, afterTopic.Fingerprint())),
                (name.EventId, new StateHashClaim(afterTopic.Fingerprint().Digest, StateDigest.Empty))));

        // Their state after is only known once processed: the answer says nothing, the check is made afterwards.
        Assert.Equal("{}", results.GetProperty(topic.EventId).GetRawText());
        Assert.Equal("{}", results.GetProperty(name.EventId).GetRawText());
        Assert.Equal(EventStatus.Accepted, await StatusAsync(topic.EventId));
        Assert.Equal(EventStatus.Accepted, await StatusAsync(name.EventId));
        Assert.Equal(afterTopic.Fingerprint(), (await AfterAsync(topic.EventId)).Fingerprint);
        Assert.DoesNotContain(Mismatches, m => m.EventId == topic.EventId);
        var recorded = Assert.Single(Mismatches, m => m.EventId == name.EventId);
        Assert.Equal(StateHashTiming.AfterProcessing, recorded.Timing);
        Assert.False(recorded.Check.BeforeDiffers);
        Assert.Equal((await AfterAsync(name.EventId)).Digest, recorded.Check.OurAfter!.Value.Digest);
    }

    [Fact]
    public async Task An_event_we_already_hold_is_checked_against_its_stored_state_before_answering()
    {
        var held = Room.Events.Last(e => e.Sender == $"@alice:{Remote.ServerName}");
        var ours = await Store.GetStateFingerprintAsync(Room.RoomId, held.EventId, StatePosition.Before);

        var results = await PushAsync("h5", [held], Hashes((held.EventId, new { before = WrongDigest })));

        var mismatch = results.GetProperty(held.EventId).GetProperty(TransactionStateHashes.UnstableMismatchKey);
        Assert.Equal(ours!.Digest.ToString(), mismatch.GetProperty("expected_before").GetString());
        Assert.Equal(WrongDigest, mismatch.GetProperty("received_before").GetString());
        Assert.False(mismatch.TryGetProperty("expected_after", out _));
    }
}
