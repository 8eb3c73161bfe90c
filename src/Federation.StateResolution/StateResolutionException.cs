namespace Federation.StateResolution;

/// <summary>
/// The input cannot be resolved: an event that must exist is unknown, events of another room were mixed in, or the
/// auth events form a cycle. The message names the event.
/// </summary>
public sealed class StateResolutionException : Exception
{
    public StateResolutionException()
    {
    }

    public StateResolutionException(string message)
        : base(message)
    {
    }

    public StateResolutionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
