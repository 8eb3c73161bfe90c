namespace Federation.Storage.Dag;

/// <summary>The fingerprint of the state after one forward extremity.</summary>
public sealed record ExtremityFingerprint(string EventId, StoredStateFingerprint Fingerprint);
