namespace Federation.Protocol.RoomVersions;

/// <summary>How a room version names its events, and how events refer to each other.</summary>
public enum EventIdFormat
{
    /// <summary>
    /// Room versions 1 and 2: the origin chooses <c>$opaque:domain</c> and sends it as <c>event_id</c>;
    /// <c>prev_events</c> and <c>auth_events</c> are <c>[id, {hashes}]</c> pairs.
    /// </summary>
    OriginSupplied,

    /// <summary>Room version 3: <c>$</c> + the reference hash in unpadded standard base64; references are plain id lists.</summary>
    ReferenceHashStandardBase64,

    /// <summary>Room versions 4 and later: <c>$</c> + the reference hash in unpadded URL-safe base64.</summary>
    ReferenceHashUrlSafeBase64,
}
