namespace Federation.Fuzz.Tests.Mutation;

public enum JsonTokenKind
{
    /// <summary>A string followed by a colon: an object key, quotes included.</summary>
    Key,

    /// <summary>A string value, quotes included.</summary>
    StringValue,

    Number,

    /// <summary><c>true</c>, <c>false</c> or <c>null</c>.</summary>
    Literal,

    /// <summary><c>{</c> or <c>[</c>.</summary>
    Open,
}
