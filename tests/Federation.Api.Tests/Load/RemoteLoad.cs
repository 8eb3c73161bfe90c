using Federation.Protocol.Keys;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;

namespace Federation.Api.Tests.Load;

/// <summary>
/// One remote's share of the load: rooms its <c>@alice</c> created and our <c>@bob</c> joined, and the transactions it
/// pushes to us, one at a time as a remote's per-destination queue does. Each room's pushed events go in transactions of
/// <see cref="EventsPerTransaction"/>, in order, the rooms taking turns; on the way some adjacent pairs are sent in
/// reverse order, some transactions twice under the same id, and some PDUs again under a new id. Every gap this leaves
/// (with the events the room withheld) is at most the server's <c>/get_missing_events</c> limit, so a correct server
/// fills each one from the remote and ends up holding every event of every room with state.
/// </summary>
public sealed class RemoteLoad
{
    public const int EventsPerTransaction = 5;
    private const int SwapEvery = 9;
    private const int ReplayEvery = 7;
    private const int ResendEvery = 11;

    private RemoteLoad(FakeHomeserver remote, IReadOnlyList<GeneratedRoom> rooms, IReadOnlyList<SignedTransaction> transactions, int swapped, int replayed, int resent)
    {
        Remote = remote;
        Rooms = rooms;
        Transactions = transactions;
        Swapped = swapped;
        Replayed = replayed;
        Resent = resent;
    }

    public FakeHomeserver Remote { get; }

    public IReadOnlyList<GeneratedRoom> Rooms { get; }

    /// <summary>What the remote sends, in order.</summary>
    public IReadOnlyList<SignedTransaction> Transactions { get; }

    /// <summary>Pairs of transactions sent in reverse order.</summary>
    public int Swapped { get; }

    /// <summary>Transactions sent a second time with the same id.</summary>
    public int Replayed { get; }

    /// <summary>Transactions whose PDUs were sent again under a new id.</summary>
    public int Resent { get; }

    /// <summary>
    /// Generates <paramref name="rooms"/> rooms of <paramref name="eventsPerRoom"/> events (about 5% withheld, in runs of
    /// at most 3), serves their history from <paramref name="remote"/>, and plans the transactions.
    /// </summary>
    public static RemoteLoad Plan(FakeHomeserver remote, ServerIdentity ours, int rooms, int eventsPerRoom, int missingEventsLimit, int seed)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var generated = Enumerable.Range(0, rooms)
            .Select(r => GeneratedRoom.Generate(remote.Identity, ours, eventsPerRoom, gapPercent: 5, maxGap: 3, seed + r))
            .ToList();
        foreach (var room in generated)
        {
            RoomHistoryServer.Serve(remote, room.Version, room.RoomId, room.Builder.Events);
        }

        var (swapped, replayed, resent) = (0, 0, 0);
        var queues = generated.Select((room, r) =>
        {
            var plan = PlanRoom(remote, ours.ServerName, room, r, missingEventsLimit);
            swapped += plan.Swapped;
            replayed += plan.Replayed;
            resent += plan.Resent;
            return plan.Sends;
        }).ToList();
        // The rooms take turns, each room's transactions in its planned order.
        var transactions = Enumerable.Range(0, queues.Max(q => q.Count))
            .SelectMany(t => queues.Where(q => t < q.Count).Select(q => q[t]))
            .ToList();
        return new RemoteLoad(remote, generated, transactions, swapped, replayed, resent);
    }

    private static (List<SignedTransaction> Sends, int Swapped, int Replayed, int Resent) PlanRoom(
        FakeHomeserver remote, string destination, GeneratedRoom room, int roomIndex, int missingEventsLimit)
    {
        var position = room.Stream.Select((pdu, i) => (pdu.EventId, i)).ToDictionary(p => p.EventId, p => p.i, StringComparer.Ordinal);
        var chunks = room.Pushed.Chunk(EventsPerTransaction).ToList();
        var transactions = chunks.Select((pdus, t) => SignedTransaction.Create(remote, destination, $"load-{roomIndex}-{t}", pdus)).ToList();
        var sends = new List<SignedTransaction>();
        var (swapped, replayed, resent) = (0, 0, 0);

        // Stream position of the last event of chunk t (-1: the opening, which our server holds from the join).
        int LastOf(int t) => t < 0 ? -1 : position[chunks[t][^1].EventId];

        for (var t = 0; t < chunks.Count; t++)
        {
            // Chunk t + 1 first: its first event then misses everything after chunk t - 1, which the server must pull.
            var missing = t + 1 < chunks.Count ? position[chunks[t + 1][0].EventId] - LastOf(t - 1) - 1 : int.MaxValue;
            if (t % SwapEvery == SwapEvery - 1 && missing <= missingEventsLimit)
            {
                sends.Add(transactions[t + 1]);
                sends.Add(transactions[t]);
                swapped++;
                t++;
            }
            else
            {
                sends.Add(transactions[t]);
            }

            if (t % ReplayEvery == ReplayEvery - 1)
            {
                sends.Add(transactions[t]);
                replayed++;
            }

            if (t % ResendEvery == ResendEvery - 1)
            {
                sends.Add(SignedTransaction.Create(remote, destination, $"load-{roomIndex}-{t}-again", chunks[t - 1]));
                resent++;
            }
        }

        return (sends, swapped, replayed, resent);
    }
}
