namespace Federation.StateResolution;

/// <summary>A <c>(type, state_key)</c> pair: the key of one entry of room state. Compared ordinally.</summary>
public readonly record struct StateKey(string Type, string Key) : IComparable<StateKey>
{
    /// <summary>Orders by type, then state key, both ordinally (the CLI's output order).</summary>
    public int CompareTo(StateKey other)
    {
        var byType = string.CompareOrdinal(Type, other.Type);
        return byType != 0 ? byType : string.CompareOrdinal(Key, other.Key);
    }

    public static bool operator <(StateKey left, StateKey right) => left.CompareTo(right) < 0;

    public static bool operator >(StateKey left, StateKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(StateKey left, StateKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(StateKey left, StateKey right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"({Type}, '{Key}')";
}
