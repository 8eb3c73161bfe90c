namespace Federation.Client.Reconciliation;

/// <summary>
/// The unstable set-reconciliation endpoint both sides speak (docs/resync.md, "Set reconciliation"):
/// <c>POST /_matrix/federation/unstable/io.github.federation.rbsr/reconcile/{roomId}</c> with
/// <c>{"scope": "events", "window": {"from_ts", "until_ts"}?, "msg": base64(message)}</c>, answered with
/// <c>{"msg": base64(message)}</c>. The message is Negentropy protocol v1. The namespace lives here only.
/// </summary>
public static class ReconcileEndpoint
{
    /// <summary>Our namespace for unstable federation endpoints of set reconciliation.</summary>
    public const string UnstableNamespace = "io.github.federation.rbsr";

    /// <summary>The route template the server maps.</summary>
    public const string RouteTemplate = "/_matrix/federation/unstable/" + UnstableNamespace + "/reconcile/{roomId}";

    /// <summary>The one scope value defined: the room's events (all of them, or those in the window).</summary>
    public const string EventsScope = "events";

    public const string ScopeField = "scope";
    public const string WindowField = "window";
    public const string FromTsField = "from_ts";
    public const string UntilTsField = "until_ts";
    public const string MessageField = "msg";

    /// <summary>The request target for <paramref name="roomId"/>, percent-encoded as it goes on the wire.</summary>
    public static string PathFor(string roomId) => RouteTemplate.Replace("{roomId}", Uri.EscapeDataString(roomId), StringComparison.Ordinal);
}
