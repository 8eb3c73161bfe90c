using System.Diagnostics;
using System.Text.Json;
using Federation.Resync.Core.Reconciliation;

// Set reconciliation (Negentropy v1, as the endpoint runs it) against walking /get_missing_events with limit 20, on
// the same room: the peer holds `Held` events; we lack a gap of the newest `Gap` events, or `Gap` scattered ones.
// Reconciliation bytes are the exact request and response bodies ({"msg","scope"} / {"msg"} with base64). The walk
// is counted, not run: one request per 20 missing events, each answer ~20 PDUs of PduBytes. Scattered holes are not
// reachable from the forward extremities at all; the walk is charged one request per hole as if each were known.
const int PduBytes = 600;
const int GmeLimit = 20;
const int GmeRequestBytes = 250;
var scenarios = new (string Name, int Held, int Gap, bool Scattered)[]
{
    ("gap-10", 100_000, 10, false),
    ("gap-1k", 100_000, 1_000, false),
    ("gap-100k", 200_000, 100_000, false),
    ("scattered-1k-in-100k", 100_000, 1_000, true),
    ("identical-100k", 100_000, 0, false),
};

var results = new List<object>();
foreach (var (name, held, gap, scattered) in scenarios)
{
    var random = new Random(42);
    var peer = Enumerable.Range(0, held).Select(i => new ReconciliationItem(1_700_000_000_000UL + ((ulong)i * 250), RandomId(random))).ToArray();
    var missing = scattered ? peer.OrderBy(_ => random.Next()).Take(gap).ToHashSet() : peer[^gap..].ToHashSet();
    var ours = SortedItems.From(peer.Where(p => !missing.Contains(p)));
    var theirs = SortedItems.From(peer);

    var clock = Stopwatch.StartNew();
    var initiator = new ReconciliationInitiator(ours, 4 * 1024 * 1024);
    var message = initiator.Initiate();
    long sent = 0, received = 0, serverTicks = 0;
    var rounds = 0;
    while (message is not null)
    {
        rounds++;
        sent += RequestBytes(message.Length);
        var serverStart = Stopwatch.GetTimestamp();
        var answer = ReconciliationResponder.Answer(theirs, message, 4 * 1024 * 1024);
        serverTicks += Stopwatch.GetTimestamp() - serverStart;
        received += ResponseBytes(answer.Length);
        message = initiator.Reconcile(answer);
    }

    clock.Stop();
    var found = initiator.Differences.Need.Distinct().Count();
    if (found != gap)
    {
        throw new InvalidOperationException($"{name}: found {found} of {gap}");
    }

    var gmeRequests = scattered ? gap : (gap + GmeLimit - 1) / GmeLimit;
    results.Add(new
    {
        scenario = name,
        held,
        missing = gap,
        reconciliation = new
        {
            round_trips = rounds,
            bytes_sent = sent,
            bytes_received = received,
            bytes_per_missing_event = gap == 0 ? 0 : (sent + received) / gap,
            cpu_ms_both_sides = Math.Round(clock.Elapsed.TotalMilliseconds, 1),
            cpu_ms_server = Math.Round(Stopwatch.GetElapsedTime(0, serverTicks).TotalMilliseconds, 1),
        },
        get_missing_events_walk = new
        {
            round_trips = gmeRequests,
            bytes_sent = (long)gmeRequests * GmeRequestBytes,
            bytes_received = (long)gap * PduBytes,
            finds_scattered_holes = !scattered,
        },
        // Reconciliation learns ids only; the events then come with /event (8 in flight), the same PDU bytes.
        download_after_reconciliation = new { requests = gap, sequential_round_trips_at_8_in_flight = (gap + 7) / 8, bytes_received = (long)gap * PduBytes },
    });
}

Console.WriteLine(JsonSerializer.Serialize(new { pdu_bytes_assumed = PduBytes, results }, new JsonSerializerOptions { WriteIndented = true }));

static long RequestBytes(int messageBytes) => """{"msg":"","scope":"events"}""".Length + Base64Length(messageBytes);

static long ResponseBytes(int messageBytes) => """{"msg":""}""".Length + Base64Length(messageBytes);

static long Base64Length(int bytes) => (bytes + 2) / 3 * 4;

static ItemId RandomId(Random random)
{
    Span<byte> bytes = stackalloc byte[32];
    random.NextBytes(bytes);
    return ItemId.FromBytes(bytes);
}
