namespace Federation.Fuzz.Tests.Mutation;

/// <summary>A token found by <see cref="JsonTokenScanner"/>: where it sits in the text and what it is.</summary>
public readonly record struct JsonToken(JsonTokenKind Kind, int Start, int Length)
{
    public int End => Start + Length;
}
