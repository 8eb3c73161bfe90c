namespace Federation.Storage.Dag;

/// <summary>How a write changes a room's forward extremities: <paramref name="Removed"/> stop being extremities (where
/// they were), then <paramref name="Added"/> become extremities.</summary>
internal sealed record ExtremityChange(IReadOnlyList<string> Removed, IReadOnlyList<string> Added)
{
    /// <summary>The extremities after the change, given those before: the added first, then the rest as they were.</summary>
    public string[] ApplyTo(IReadOnlyList<string> before)
    {
        var removed = Removed.ToHashSet(StringComparer.Ordinal);
        return [.. Added.Reverse(), .. before.Where(id => !removed.Contains(id))];
    }
}
