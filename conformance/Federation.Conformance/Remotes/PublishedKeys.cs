namespace Federation.Conformance.Remotes;

/// <summary>What a remote publishes at <c>/_matrix/key/v2/server</c>.</summary>
public enum PublishedKeys
{
    /// <summary>Its key, self-signed, valid far into the future.</summary>
    Valid,

    /// <summary>Nothing: the key endpoint answers 404.</summary>
    Missing,

    /// <summary>Its key, signed by another key (the response is forged).</summary>
    BadSelfSignature,

    /// <summary>Its key under another server's name.</summary>
    OtherServerName,
}
