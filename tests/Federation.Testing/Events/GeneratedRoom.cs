using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;

namespace Federation.Testing.Events;

/// <summary>
/// One room created by the remote's <c>@alice</c> and joined by our <c>@bob</c> (the opening, stored directly as after a
/// join), then a stream of signed events — mostly messages from several senders, some joins, display-name changes and
/// topics — of which runs of 1 to <c>maxGap</c> events (about <c>gapPercent</c> of the stream) are withheld from the
/// pushes. It knows what a correct server ends up holding.
/// </summary>
public sealed class GeneratedRoom
{
    private GeneratedRoom(SignedRoomBuilder builder, int openingCount, List<Gap> gaps, Dictionary<string, IReadOnlyList<string>> stateBefore)
    {
        Builder = builder;
        Opening = [.. builder.Events.Take(openingCount)];
        Stream = [.. builder.Events.Skip(openingCount)];
        Gaps = gaps;
        StateIdsBefore = stateBefore;
        var withheld = new HashSet<int>(gaps.SelectMany(g => Enumerable.Range(g.Start, g.Length)));
        Pushed = [.. Stream.Where((_, i) => !withheld.Contains(i))];
    }

    public SignedRoomBuilder Builder { get; }

    public string RoomId => Builder.RoomId;

    public RoomVersion Version => Builder.Version;

    public IReadOnlyList<Pdu> Opening { get; }

    /// <summary>Every event after the opening, in order.</summary>
    public IReadOnlyList<Pdu> Stream { get; }

    /// <summary>The events pushed in transactions, in order.</summary>
    public IReadOnlyList<Pdu> Pushed { get; }

    public IReadOnlyList<Gap> Gaps { get; }

    /// <summary>The state ids before each withheld event (what a truthful <c>/state_ids</c> answers at it).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> StateIdsBefore { get; }

    /// <summary>A run of withheld stream events: indices <c>[Start, Start + Length)</c>.</summary>
    public sealed record Gap(int Start, int Length);

    public static GeneratedRoom Generate(ServerIdentity remote, ServerIdentity ours, int events, double gapPercent, int maxGap, int seed)
    {
        var random = new Random(seed);
        var builder = new SignedRoomBuilder(RoomVersion.Get("10"), remote, ours).CreatePublicRoom($"@alice:{remote.ServerName}");
        builder.Join("@bob:test.example");
        var senders = new List<string> { $"@alice:{remote.ServerName}" };
        for (var i = 1; i <= 4; i++)
        {
            senders.Add($"@user{i}:{remote.ServerName}");
            builder.Join(senders[^1]);
        }

        var openingCount = builder.Events.Count;
        var gaps = PlanGaps(random, events, gapPercent, maxGap);
        var withheldStarts = gaps.SelectMany(g => Enumerable.Range(g.Start, g.Length)).ToHashSet();
        var stateBefore = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var i = 0; i < events; i++)
        {
            var state = withheldStarts.Contains(i) ? builder.State.Values.Select(p => p.EventId).ToArray() : null;
            var pdu = NextEvent(builder, random, senders, remote.ServerName, i);
            if (state is not null)
            {
                stateBefore[pdu.EventId] = state;
            }
        }

        return new GeneratedRoom(builder, openingCount, gaps, stateBefore);
    }

    private static Pdu NextEvent(SignedRoomBuilder builder, Random random, List<string> senders, string remoteName, int index)
    {
        var roll = random.NextDouble();
        if (roll < 0.01)
        {
            senders.Add($"@user{senders.Count}:{remoteName}");
            return builder.Join(senders[^1]);
        }

        if (roll < 0.02)
        {
            var user = senders[random.Next(1, senders.Count)];
            return builder.Add(user, EventTypes.Member, user, new JsonObject { ["membership"] = "join", ["displayname"] = $"User {index}" });
        }

        if (roll < 0.03)
        {
            return builder.Add(senders[0], EventTypes.Topic, "", new JsonObject { ["topic"] = $"Topic {index}" });
        }

        return builder.Message(senders[random.Next(senders.Count)], $"Message {index}: {new string('x', random.Next(20, 200))}");
    }

    /// <summary>Gaps of 1 to <paramref name="maxGap"/> events, about <paramref name="gapPercent"/> of the stream, never at its first or last events.</summary>
    private static List<Gap> PlanGaps(Random random, int events, double gapPercent, int maxGap)
    {
        var gaps = new List<Gap>();
        if (gapPercent <= 0)
        {
            return gaps;
        }

        var meanGap = (1 + maxGap) / 2.0;
        var meanRun = Math.Max(2, meanGap * (100 - gapPercent) / gapPercent);
        var position = 2 + random.Next((int)meanRun);
        while (true)
        {
            var length = random.Next(1, maxGap + 1);
            if (position + length + 2 > events)
            {
                return gaps;
            }

            gaps.Add(new Gap(position, length));
            position += length + Math.Max(2, (int)(random.NextDouble() * 2 * meanRun));
        }
    }
}
