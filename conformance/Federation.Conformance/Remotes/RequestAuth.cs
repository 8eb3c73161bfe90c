namespace Federation.Conformance.Remotes;

/// <summary>How a remote authenticates a request it sends to the target (scenarios test the failures).</summary>
public enum RequestAuth
{
    /// <summary>A correct X-Matrix header.</summary>
    Correct,

    /// <summary>No Authorization header.</summary>
    None,

    /// <summary>An X-Matrix header that does not parse.</summary>
    Malformed,

    /// <summary>Signed with a key the remote never published.</summary>
    UnknownKey,

    /// <summary>Signed under the published key id with other key material.</summary>
    BadSignature,

    /// <summary>Correctly signed for another destination.</summary>
    WrongDestination,

    /// <summary>Signed over another request target than the one sent.</summary>
    WrongUri,
}
