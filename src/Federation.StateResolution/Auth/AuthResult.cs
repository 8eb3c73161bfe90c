namespace Federation.StateResolution.Auth;

/// <summary>The outcome of an auth check: allowed, or rejected with a reason. A value, never an exception.</summary>
public readonly record struct AuthResult
{
    private AuthResult(string? reason) => Reason = reason;

    public static AuthResult Allowed => default;

    /// <summary>Why the event was rejected; <c>null</c> when it is allowed.</summary>
    public string? Reason { get; }

    public bool IsAllowed => Reason is null;

    public static AuthResult Rejected(string reason) => new(reason);

    public override string ToString() => IsAllowed ? "allowed" : $"rejected: {Reason}";
}
