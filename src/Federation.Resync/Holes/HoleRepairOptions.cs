using System.ComponentModel.DataAnnotations;

namespace Federation.Resync.Holes;

/// <summary>
/// Repair of holes, the missing events our held events reference (docs/resync.md, "Hole lifecycle"). Bound from the
/// <c>Resync:Holes</c> configuration section.
/// </summary>
public sealed class HoleRepairOptions : IValidatableObject
{
    public const string SectionName = "Resync:Holes";

    /// <summary>Whether the background repair runs. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often due holes are looked for. Default 10 seconds; 1 second to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most holes asked for in one poll, over all rooms (one request each, one after another); the rest wait
    /// for the next poll. Default 20; 1 to 10,000.</summary>
    [Range(1, 10_000)]
    public int HolesPerCycle { get; set; } = 20;

    /// <summary>Shortest wait after a failed attempt. Default 30 seconds; 1 second to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MinimumBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait after a failed attempt (the ceiling doubles per attempt up to it). Default 10 minutes;
    /// 1 second to 7 days, and not below <see cref="MinimumBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaximumBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long after its discovery a hole still unfilled is marked lost and no longer asked for (it stays recorded). The
    /// store also marks it lost after 10 failed attempts, whichever comes first. Default 24 hours; 1 minute to 365 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a hole being worked on is left alone by the other processes sharing the database: each attempt claims
    /// its hole for this long, and a process that dies mid-attempt releases it when the claim runs out. Longer than one
    /// attempt (a <c>/backfill</c> with its retries, then ingesting the answer). Default 5 minutes; 10 seconds to 1 hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Events asked for with each <c>/backfill</c>: the hole and its ancestors, so one answer may close a long
    /// gap. Default 50; 1 to 100 (the most servers serve).</summary>
    [Range(1, 100)]
    public int BackfillLimit { get; set; } = 50;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaximumBackoff < MinimumBackoff)
        {
            yield return new ValidationResult("MaximumBackoff must not be below MinimumBackoff", [nameof(MaximumBackoff)]);
        }
    }
}
