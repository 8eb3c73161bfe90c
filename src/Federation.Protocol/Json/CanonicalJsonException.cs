namespace Federation.Protocol.Json;

/// <summary>Input that is not JSON, or not JSON the canonical form (or its strict room-version mode) can represent.</summary>
public sealed class CanonicalJsonException : Exception
{
    public CanonicalJsonException()
    {
    }

    public CanonicalJsonException(string message)
        : base(message)
    {
    }

    public CanonicalJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
