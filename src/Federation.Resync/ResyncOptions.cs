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
}
