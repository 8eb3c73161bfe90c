using System.ComponentModel.DataAnnotations;

namespace Federation.Resync;

/// <summary>Re-sync with peers beyond <c>/get_missing_events</c>. Bound from the <c>Resync</c> configuration
/// section.</summary>
public sealed class ResyncOptions
{
    public const string SectionName = "Resync";

    /// <summary>
    /// File listing the rooms this server is joined to and whom to ask for them, kept outside the database so that a
    /// server that lost its database can rebuild its rooms from peers. Keep it with the signing key, on storage that
    /// survives the database (backed up the same way). Default <c>data/recovery-manifest.json</c>, relative to the
    /// working directory; empty: no manifest is written or read.
    /// </summary>
    public string RecoveryManifestPath { get; set; } = "data/recovery-manifest.json";

    /// <summary>How often the manifest is written again. Default 1 hour; 1 minute to 7 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan RecoveryManifestInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Servers listed per room in the manifest, those with the most joined members first. Default 5; 1 to 20.</summary>
    [Range(1, 20)]
    public int RecoveryServersPerRoom { get; set; } = 5;

    /// <summary>
    /// Rebuild at start-up the rooms of the manifest that the database does not hold. Default true: a server started on
    /// an empty database with its old manifest rebuilds its rooms; false leaves them for an operator.
    /// </summary>
    public bool RebuildMissingRooms { get; set; } = true;

    /// <summary>
    /// Other servers asked for the same state when a room is rebuilt, so no single peer's claim is taken as is. Default
    /// 2; 0 to 5 (0: one server's claim is stored, reported as unconfirmed).
    /// </summary>
    [Range(0, 5)]
    public int RecoveryWitnessServers { get; set; } = 2;
    // State fingerprints and divergence detection (MSC4500; docs/resync.md, "State fingerprints").

    /// <summary>Whether the background probe compares our state fingerprints with peers'. Default true.</summary>
    public bool DivergenceProbeEnabled { get; set; } = true;

    /// <summary>Time between two probe cycles. Default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan DivergenceProbeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rooms probed per cycle, in turn. Default 50.</summary>
    [Range(1, 100_000)]
    public int RoomsPerProbeCycle { get; set; } = 50;

    /// <summary>Resident servers asked for their fingerprint per probe. Default 5.</summary>
    [Range(1, 20)]
    public int PeersPerProbe { get; set; } = 5;

    /// <summary>Peer digests needed before a probe classifies anything. Default 2.</summary>
    [Range(1, 20)]
    public int MinimumPeerDigests { get; set; } = 2;

    /// <summary>Most fingerprints asked of one peer by one bisection. Default 64.</summary>
    [Range(1, 10_000)]
    public int BisectionMaxProbes { get; set; } = 64;

    /// <summary>Longest line of ancestors a bisection searches at once. Default 10,000 events.</summary>
    [Range(2, 10_000_000)]
    public int BisectionMaxLineLength { get; set; } = 10_000;

    /// <summary>State accumulator requests a peer may make at once before being limited. Default 30 (MSC4500's
    /// suggestion).</summary>
    [Range(1, 100_000)]
    public int FingerprintRequestBurst { get; set; } = 30;

    /// <summary>State accumulator requests per second a peer may sustain. Default 1.</summary>
    [Range(0.001, 100_000.0)]
    public double FingerprintRequestsPerSecond { get; set; } = 1.0;

    /// <summary>Whether a probe that finds us in the minority repairs the room by reconciling its events with majority
    /// servers (docs/resync.md, "Weak-sync repair"). Default true.</summary>
    public bool DivergenceRepairEnabled { get; set; } = true;

    /// <summary>Majority servers a repair reconciles with, one after another until one exchange completes. Default 2.</summary>
    [Range(1, 10)]
    public int DivergenceRepairPeers { get; set; } = 2;

    /// <summary>Repairs of one room in any 24 hours (besides at most one per probe interval). Default 4.</summary>
    [Range(1, 100)]
    public int DivergenceRepairsPerRoomPerDay { get; set; } = 4;

    /// <summary>Divergence reports kept in the database per room, newest first. Default 10.</summary>
    [Range(1, 1000)]
    public int DivergenceReportsPerRoom { get; set; } = 10;
}
