namespace Federation.Conformance.Target;

/// <summary>The target does not offer an endpoint a scenario needs: the scenario is skipped, not failed.</summary>
public sealed class MissingEndpointException : Exception
{
    public MissingEndpointException()
    {
    }

    public MissingEndpointException(string endpoint)
        : base($"the target does not offer {endpoint}")
    {
    }

    public MissingEndpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
