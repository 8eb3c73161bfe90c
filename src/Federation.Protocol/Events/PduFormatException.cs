namespace Federation.Protocol.Events;

/// <summary>A PDU that is not a valid event of its room version; such an event is dropped, never stored.</summary>
public sealed class PduFormatException : Exception
{
    public PduFormatException()
    {
    }

    public PduFormatException(string message)
        : base(message)
    {
    }

    public PduFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
