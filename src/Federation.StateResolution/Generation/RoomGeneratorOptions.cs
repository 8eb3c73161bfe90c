namespace Federation.StateResolution.Generation;

/// <summary>What <see cref="RoomGenerator"/> builds. Every field has a small default.</summary>
public sealed record RoomGeneratorOptions
{
    /// <summary>Room version id ("10", "11" and "12" are the intended ones; any version 1–12 works).</summary>
    public string RoomVersion { get; init; } = "10";

    /// <summary>Seed of the deterministic random source: same options, same room.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Members joined in the common history (besides the creator).</summary>
    public int Members { get; init; } = 100;

    /// <summary>Moderators (power 50) among the first members; they kick and ban.</summary>
    public int Moderators { get; init; } = 3;

    /// <summary>Power-level changes spread over the common history.</summary>
    public int PowerLevelChanges { get; init; } = 5;

    /// <summary>Fraction of common-history members that later leave, are kicked or banned (0–1).</summary>
    public double Churn { get; init; } = 0.1;

    /// <summary>Number of concurrent branches after the common history (1 = no fork).</summary>
    public int ForkWidth { get; init; } = 2;

    /// <summary>Events per branch.</summary>
    public int ForkDepth { get; init; } = 10;

    /// <summary>Fraction of branch events that are sent although the auth rules refuse them (0–1).</summary>
    public double UnauthorisedRate { get; init; }

    /// <summary>Whether to end with a message event whose prev events are all branch tips.</summary>
    public bool Merge { get; init; } = true;
}
