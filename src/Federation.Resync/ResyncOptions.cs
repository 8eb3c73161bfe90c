namespace Federation.Resync;

/// <summary>Re-sync with peers beyond <c>/get_missing_events</c>. Bound from the <c>Resync</c> configuration
/// section.</summary>
public sealed class ResyncOptions
{
    public const string SectionName = "Resync";
}
