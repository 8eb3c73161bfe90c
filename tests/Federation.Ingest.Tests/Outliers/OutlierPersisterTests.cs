using System.Text.Json.Nodes;
using Federation.Ingest.Outliers;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Ingest.Tests.Outliers;

/// <summary>
/// Events fetched for a snapshot or an auth chain are stored as outliers, each judged by its own auth events only. We
/// hold the room up to Bob's join; the fetched events come after it.
/// </summary>
public sealed class OutlierPersisterTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private readonly SignedRoomBuilder _room = new(RoomVersion.Get("10"), new ServerIdentity("remote.test", SigningKey.Generate("k")));
    private NpgsqlDataSource _dataSource = null!;

    private DagStore Store => new(_dataSource);

    public async Task InitializeAsync()
    {
        _dataSource = StoreDataSource.Create(database.ConnectionString);
        _room.CreatePublicRoom("@alice:remote.test");
        _room.Join("@bob:remote.test");
        await LinearHistory.PersistAsync(Store, _room.Events);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    private static VerifiedEvent Fetched(Pdu pdu) => new(pdu, null);

    private async Task<StoredEvent?> Stored(Pdu pdu) => (await Store.GetEventsAsync([pdu.EventId])).SingleOrDefault();

    [Fact]
    public async Task Fetched_events_are_stored_as_outliers_in_auth_order_whatever_order_they_came_in()
    {
        var carol = _room.Join("@carol:remote.test");
        var topic = _room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "t" });
        var carolsMessage = _room.Message("@carol:remote.test", "hello");

        var stored = await new OutlierPersister(Store).PersistAsync([Fetched(carolsMessage), Fetched(topic), Fetched(carol)], CancellationToken.None);

        Assert.Equal(3, stored);
        foreach (var pdu in new[] { carol, topic, carolsMessage })
        {
            var held = (await Stored(pdu))!;
            Assert.True(held.IsOutlier);
            Assert.Equal(EventStatus.Accepted, held.Status);
        }

        Assert.Equal([_room.Events[^4].EventId], await Store.GetForwardExtremitiesAsync(_room.RoomId));
    }

    [Fact]
    public async Task An_event_its_own_auth_events_refuse_is_stored_rejected_and_so_are_events_authorised_by_it()
    {
        var authBefore = new[] { (EventTypes.Create, ""), (EventTypes.PowerLevels, ""), (EventTypes.JoinRules, "") }
            .Select(key => _room.State[key].EventId).ToArray();
        var selfPromotion = _room.Add(
            "@bob:remote.test", EventTypes.PowerLevels, "", new JsonObject { ["users"] = new JsonObject { ["@bob:remote.test"] = 100 } });
        var citingIt = _room.Message("@bob:remote.test", "authorised by my own promotion");
        var carol = _room.Add(
            "@carol:remote.test", EventTypes.Member, "@carol:remote.test", new JsonObject { ["membership"] = "join" }, authEvents: authBefore);

        await new OutlierPersister(Store).PersistAsync([Fetched(citingIt), Fetched(selfPromotion), Fetched(carol)], CancellationToken.None);

        var held = (await Stored(selfPromotion))!;
        Assert.Equal(EventStatus.Rejected, held.Status);
        Assert.False(string.IsNullOrEmpty(held.RejectionReason));
        Assert.Contains(selfPromotion.EventId, citingIt.AuthEvents);
        Assert.Equal(EventStatus.Rejected, (await Stored(citingIt))!.Status);
        Assert.Equal(EventStatus.Accepted, (await Stored(carol))!.Status);
    }

    [Fact]
    public async Task An_event_whose_auth_event_is_nowhere_is_dropped_with_everything_that_depends_on_it()
    {
        var carol = _room.Join("@carol:remote.test");
        var carolsMessage = _room.Message("@carol:remote.test", "depends on carol's join");
        var unrelated = _room.Message("@alice:remote.test", "independent");

        // Carol's join is not handed over: her message cannot be judged, and is not stored.
        await new OutlierPersister(Store).PersistAsync([Fetched(carolsMessage), Fetched(unrelated)], CancellationToken.None);

        Assert.Null(await Stored(carol));
        Assert.Null(await Stored(carolsMessage));
        Assert.Equal(EventStatus.Accepted, (await Stored(unrelated))!.Status);
    }

    [Fact]
    public async Task Events_whose_auth_events_form_a_cycle_are_dropped_with_their_dependants_and_the_rest_is_stored()
    {
        // Only room versions 1 and 2 let a sender choose event ids, and so name an event's auth events before it exists.
        var remote = new ServerIdentity("remote.test", SigningKey.Generate("v1"));
        var room = new SignedRoomBuilder(RoomVersion.Get("1"), remote).CreatePublicRoom("@alice:remote.test");
        await LinearHistory.PersistAsync(Store, room.Events);
        var extremities = await Store.GetForwardExtremitiesAsync(room.RoomId);
        var carol = room.Join("@carol:remote.test");
        var carolsTopic = room.Add("@carol:remote.test", EventTypes.Name, "", new JsonObject { ["name"] = "mine" });
        var dependant = room.Message("@carol:remote.test", "authorised by the cycle");
        var selfAuthorised = room.Join("@dave:remote.test");
        var unrelated = room.Message("@alice:remote.test", "independent");
        // Carol's join names her topic as an auth event and the topic names the join: A needs B needs A.
        var cyclicJoin = WithMoreAuthEvents(room, remote, carol, carolsTopic.EventId);
        var cyclicTopic = WithMoreAuthEvents(room, remote, carolsTopic, carol.EventId);
        var selfCycle = WithMoreAuthEvents(room, remote, selfAuthorised, selfAuthorised.EventId);

        var stored = await new OutlierPersister(Store).PersistAsync(
            [Fetched(dependant), Fetched(cyclicTopic), Fetched(unrelated), Fetched(cyclicJoin), Fetched(selfCycle)], CancellationToken.None);

        Assert.Equal(1, stored);
        foreach (var dropped in new[] { cyclicJoin, cyclicTopic, dependant, selfCycle })
        {
            Assert.Null(await Stored(dropped));
        }

        Assert.Equal(EventStatus.Accepted, (await Stored(unrelated))!.Status);
        Assert.Equal(extremities, await Store.GetForwardExtremitiesAsync(room.RoomId));
    }

    /// <summary><paramref name="pdu"/> with more auth events, hashed and signed again under its own event id.</summary>
    private static Pdu WithMoreAuthEvents(SignedRoomBuilder room, ServerIdentity server, Pdu pdu, params string[] authEvents)
    {
        var json = JsonNode.Parse(pdu.Json.GetRawText())!.AsObject();
        json.Remove("signatures");
        json.Remove("hashes");
        json.Remove("unsigned");
        var references = json["auth_events"]!.AsArray();
        foreach (var id in authEvents)
        {
            references.Add(references.FirstOrDefault() is JsonArray
                ? new JsonArray(id, new JsonObject { ["sha256"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
                : JsonValue.Create(id));
        }

        EventSigning.HashAndSign(json, room.Version, server.ServerName, server.SigningKey);
        return Pdu.Parse(JsonSigning.ToElement(json), room.Version);
    }
}
