namespace Federation.Local.Tests.Outbound;

/// <summary>How a destination that is down fails our requests.</summary>
public enum DestinationFailure
{
    /// <summary>Nothing listens on its port.</summary>
    ConnectionRefused,

    /// <summary>It accepts the request and never answers (our attempt times out).</summary>
    NoAnswer,

    /// <summary>It answers 503.</summary>
    ServerError,
}
