using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Http;

namespace Federation.Api.Tests.Send;

/// <summary>
/// A remote homeserver on loopback pushes events of a room both servers are in to our server over real HTTP.
/// </summary>
public sealed class SendTransactionEndpointsTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    private async Task<HttpResponseMessage> Push(string txnId, params Pdu[] pdus)
    {
        using var client = Server.CreateClient();
        var body = new JsonObject
        {
            ["origin"] = "remote.test",
            ["pdus"] = new JsonArray(pdus.Select(p => JsonNode.Parse(p.Json.GetRawText())).ToArray()),
        };
        var response = await Remote.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/" + txnId, body.ToJsonString());
        await QueueDrainedAsync();
        return response;
    }

    private static async Task<JsonElement> Results(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("pdus");
    }

    private async Task<StoredEvent?> Stored(string eventId) => (await Store.GetEventsAsync([eventId])).SingleOrDefault();

    [Fact]
    public async Task A_pushed_message_is_accepted_stored_and_becomes_the_forward_extremity()
    {
        _ = Server.CreateClient();
        var message = Room.Message("@alice:remote.test", "hi");

        var results = await Results(await Push("t1", message));

        Assert.Equal("{}", results.GetProperty(message.EventId).GetRawText());
        Assert.Equal(EventStatus.Accepted, (await Stored(message.EventId))!.Status);
        Assert.Equal([message.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task A_replayed_transaction_gets_the_stored_response_without_processing_again()
    {
        _ = Server.CreateClient();
        var first = Room.Message("@alice:remote.test", "one");
        var firstAnswer = await (await Push("t2", first)).Content.ReadAsStringAsync();
        var second = Room.Message("@alice:remote.test", "two");

        var replay = await (await Push("t2", second)).Content.ReadAsStringAsync();

        Assert.Equal(firstAnswer, replay);
        Assert.Null(await Stored(second.EventId));
    }

    [Fact]
    public async Task An_event_already_held_pushed_again_is_accepted_and_left_as_stored()
    {
        // Held from before this process ran (so not in its cache), and sent without state digests: the admission does
        // not ask the store, and the worker finds it held.
        _ = Server.CreateClient();
        var held = Room.Events[^1];
        var stored = await Stored(held.EventId);
        var extremities = await Store.GetForwardExtremitiesAsync(Room.RoomId);

        var results = await Results(await Push("held-again", held));

        Assert.Equal("{}", results.GetProperty(held.EventId).GetRawText());
        Assert.Equal(stored!.StreamOrdering, (await Stored(held.EventId))!.StreamOrdering);
        Assert.Equal(extremities, await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task An_event_from_a_user_who_is_not_joined_is_stored_as_rejected_and_changes_no_extremity()
    {
        _ = Server.CreateClient();
        var before = await Store.GetForwardExtremitiesAsync(Room.RoomId);
        var intruder = Room.Message("@mallory:remote.test", "let me in");

        var results = await Results(await Push("t3", intruder));

        Assert.Equal("{}", results.GetProperty(intruder.EventId).GetRawText());
        var stored = await Stored(intruder.EventId);
        Assert.Equal(EventStatus.Rejected, stored!.Status);
        Assert.False(string.IsNullOrEmpty(stored.RejectionReason));
        Assert.Equal(before, await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task An_event_with_a_bad_signature_is_an_error_entry_and_is_not_stored()
    {
        _ = Server.CreateClient();
        var legit = Room.Message("@alice:remote.test", "ok");
        var forgedByOtherKey = JsonNode.Parse(legit.Json.GetRawText())!.AsObject();
        forgedByOtherKey.Remove("signatures");
        EventSigning.HashAndSign(forgedByOtherKey, Room.Version, "remote.test", Federation.Protocol.Keys.SigningKey.Generate("forged"));
        var forged = Pdu.Parse(Federation.Protocol.Json.JsonSigning.ToElement(forgedByOtherKey), Room.Version);

        var results = await Results(await Push("t4", forged));

        Assert.Contains("signature", results.GetProperty(forged.EventId).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Null(await Stored(forged.EventId));
    }

    [Fact]
    public async Task A_gap_is_closed_with_get_missing_events_from_the_origin()
    {
        _ = Server.CreateClient();
        var gap = new[] { Room.Message("@alice:remote.test", "a"), Room.Message("@alice:remote.test", "b"), Room.Message("@alice:remote.test", "c") };
        var latest = Room.Message("@alice:remote.test", "d");
        Remote.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + Room.RoomId, _ => Task.FromResult(Microsoft.AspNetCore.Http.Results.Json(
            new { events = gap.Reverse().Select(p => JsonNode.Parse(p.Json.GetRawText())).ToArray() })));

        var results = await Results(await Push("t5", latest));

        Assert.Equal("{}", results.GetProperty(latest.EventId).GetRawText());
        foreach (var pdu in gap.Append(latest))
        {
            Assert.Equal(EventStatus.Accepted, (await Stored(pdu.EventId))!.Status);
        }

        Assert.Equal([latest.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
        var request = Assert.Single(Remote.Requests, r => r.PathAndQuery.Contains("get_missing_events", StringComparison.Ordinal));
        Assert.Equal("POST", request.Method);
    }

    [Fact]
    public async Task An_event_whose_gap_cannot_be_closed_is_refused_and_not_stored()
    {
        _ = Server.CreateClient();
        _ = Room.Message("@alice:remote.test", "withheld");
        var latest = Room.Message("@alice:remote.test", "orphan");
        Remote.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + Room.RoomId, new { events = Array.Empty<object>() });

        var results = await Results(await Push("t6", latest));

        // Admitted (its signatures are good), then dropped once processing found the gap open.
        Assert.Equal("{}", results.GetProperty(latest.EventId).GetRawText());
        Assert.Null(await Stored(latest.EventId));
        Assert.Single(Remote.Requests, r => r.PathAndQuery.Contains("get_missing_events", StringComparison.Ordinal));
        Assert.DoesNotContain(Remote.Requests, r => r.PathAndQuery.Contains("state_ids", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forked_gap_is_closed_with_one_get_missing_events()
    {
        _ = Server.CreateClient();
        var forkPoint = Room.Last.EventId;
        var left = new[] { Room.Message("@alice:remote.test", "left 1"), Room.Message("@alice:remote.test", "left 2") };
        var right = Room.Add("@alice:remote.test", EventTypes.Message, null, new JsonObject { ["body"] = "right" }, prevEvents: [forkPoint]);
        var merge = Room.Add(
            "@alice:remote.test", EventTypes.Message, null, new JsonObject { ["body"] = "merge" }, prevEvents: [left[^1].EventId, right.EventId]);
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);

        var results = await Results(await Push("t14", merge));

        Assert.Equal("{}", results.GetProperty(merge.EventId).GetRawText());
        foreach (var pdu in left.Append(right).Append(merge))
        {
            Assert.Equal(EventStatus.Accepted, (await Stored(pdu.EventId))!.Status);
        }

        Assert.Equal([merge.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
        Assert.Single(Remote.Requests, r => r.PathAndQuery.Contains("get_missing_events", StringComparison.Ordinal));
        Assert.DoesNotContain(Remote.Requests, r => r.PathAndQuery.Contains("state_ids", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_dropped_while_its_origin_was_down_is_fetched_when_a_later_event_arrives()
    {
        _ = Server.CreateClient();
        var extremity = Room.Last.EventId;
        var gap = Room.Message("@alice:remote.test", "gap");
        var first = Room.Message("@alice:remote.test", "sent while down");
        Remote.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + Room.RoomId, new { errcode = "M_UNKNOWN", error = "down" }, 503);

        await Results(await Push("t15", first));

        Assert.Null(await Stored(first.EventId));
        Assert.Equal([extremity], await Store.GetForwardExtremitiesAsync(Room.RoomId));

        var second = Room.Message("@alice:remote.test", "back up");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);

        await Results(await Push("t16", second));

        foreach (var pdu in new[] { gap, first, second })
        {
            Assert.Equal(EventStatus.Accepted, (await Stored(pdu.EventId))!.Status);
        }

        Assert.Equal([second.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task Events_of_another_room_in_a_missing_events_answer_are_not_taken_and_the_gap_stays_open()
    {
        _ = Server.CreateClient();
        var before = await Store.GetForwardExtremitiesAsync(Room.RoomId);
        var otherRoom = new SignedRoomBuilder(Room.Version, Remote.Identity).CreatePublicRoom("@alice:remote.test");
        var elsewhere = otherRoom.Message("@alice:remote.test", "from another room");
        var pointsElsewhere = Room.Add(
            "@alice:remote.test", EventTypes.Message, null, new JsonObject { ["body"] = "prev in another room" }, prevEvents: [elsewhere.EventId]);
        Remote.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + Room.RoomId, new
        {
            events = new[] { JsonNode.Parse(elsewhere.Json.GetRawText()) },
        });

        await Results(await Push("t17", pointsElsewhere));

        Assert.Null(await Stored(elsewhere.EventId));
        Assert.Null(await Stored(pointsElsewhere.EventId));
        Assert.Equal(before, await Store.GetForwardExtremitiesAsync(Room.RoomId));
        Assert.DoesNotContain(Remote.Requests, r => r.PathAndQuery.Contains("state_ids", StringComparison.Ordinal));
    }

    [Fact]
    public async Task More_than_50_pdus_are_refused_with_bad_json()
    {
        _ = Server.CreateClient();
        var message = Room.Message("@alice:remote.test", "x");

        var response = await Push("t7", Enumerable.Repeat(message, 51).ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("M_BAD_JSON", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task Unknown_auth_events_are_fetched_with_event_auth_and_stored_as_outliers()
    {
        _ = Server.CreateClient();
        var known = Room.Last.EventId;
        // Dave joined on a branch this server never saw; his message builds on what it holds but cites that join.
        var davesJoin = Room.Join("@dave:remote.test");
        var message = Room.Add("@dave:remote.test", EventTypes.Message, null, new JsonObject { ["body"] = "hi" }, prevEvents: [known]);
        Remote.Handle(
            "GET",
            $"/_matrix/federation/v1/event_auth/{Room.RoomId}/{message.EventId}",
            new { auth_chain = Room.Events.Where(e => e.EventId != message.EventId).Select(e => JsonNode.Parse(e.Json.GetRawText())).ToArray() });

        var results = await Results(await Push("t9", message));

        Assert.Equal("{}", results.GetProperty(message.EventId).GetRawText());
        var join = await Stored(davesJoin.EventId);
        Assert.True(join!.IsOutlier);
        Assert.Equal(EventStatus.Accepted, join.Status);
        // In the state before the message (this server's history) Dave never joined, so the message is rejected.
        Assert.Equal(EventStatus.Rejected, (await Stored(message.EventId))!.Status);
        Assert.Contains(Remote.Requests, r => r.PathAndQuery.Contains("/event_auth/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_whose_auth_events_cannot_be_fetched_is_not_stored()
    {
        _ = Server.CreateClient();
        var known = Room.Last.EventId;
        _ = Room.Join("@erin:remote.test");
        var message = Room.Add("@erin:remote.test", EventTypes.Message, null, new JsonObject { ["body"] = "hi" }, prevEvents: [known]);

        var results = await Results(await Push("t10", message));

        Assert.Equal("{}", results.GetProperty(message.EventId).GetRawText());
        Assert.Null(await Stored(message.EventId));
        Assert.Contains(Remote.Requests, r => r.PathAndQuery.Contains("/event_auth/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_denied_by_the_server_acl_cannot_push_events()
    {
        _ = Server.CreateClient();
        var acl = Room.Add("@alice:remote.test", EventTypes.ServerAcl, "", new JsonObject
        {
            ["allow"] = new JsonArray("*"),
            ["deny"] = new JsonArray("remote.test"),
        });
        await LinearHistory.PersistAsync(Store, [acl], after: acl.PrevEvents[0]);
        var message = Room.Message("@alice:remote.test", "still here?");

        var response = await Push("t11", message);

        var results = await Results(response);
        Assert.Contains("server ACL", results.GetProperty(message.EventId).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Null(await Stored(message.EventId));
        Assert.Equal([acl.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task A_second_create_event_for_the_room_is_refused()
    {
        _ = Server.CreateClient();
        var json = JsonNode.Parse(Room.Events[0].Json.GetRawText())!.AsObject();
        json.Remove("signatures");
        json.Remove("hashes");
        json["origin_server_ts"] = 42;
        EventSigning.HashAndSign(json, Room.Version, "remote.test", Remote.SigningKey);
        var secondCreate = Pdu.Parse(Federation.Protocol.Json.JsonSigning.ToElement(json), Room.Version);

        var results = await Results(await Push("t12", secondCreate));

        Assert.Contains("create", results.GetProperty(secondCreate.EventId).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Null(await Stored(secondCreate.EventId));
    }

    [Fact]
    public async Task An_event_allowed_by_its_own_history_but_not_by_the_current_state_is_soft_failed()
    {
        _ = Server.CreateClient();
        var carolsJoin = Room.Join("@carol:remote.test");
        // Carol writes on top of her join, while Alice bans her on another branch that this server already holds.
        var message = Room.Message("@carol:remote.test", "written before I saw the ban");
        var ban = Room.Add("@alice:remote.test", EventTypes.Member, "@carol:remote.test", new JsonObject { ["membership"] = "ban" }, prevEvents: [carolsJoin.EventId]);
        await LinearHistory.PersistAsync(Store, [carolsJoin, ban], after: carolsJoin.PrevEvents[0]);

        var results = await Results(await Push("t13", message));

        Assert.Equal("{}", results.GetProperty(message.EventId).GetRawText());
        Assert.Equal(EventStatus.SoftFailed, (await Stored(message.EventId))!.Status);
        Assert.Equal([ban.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task An_unsigned_transaction_is_401()
    {
        using var client = Server.CreateClient();

        var response = await client.PutAsync(new Uri("/_matrix/federation/v1/send/t8", UriKind.Relative), new StringContent("{\"pdus\":[]}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
