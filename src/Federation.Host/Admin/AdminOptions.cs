namespace Federation.Host.Admin;

/// <summary>
/// The admin listener (the DAG page and its JSON API). Bound from the <c>Admin</c> section. It is a listener of its
/// own, never the federation one, so nothing of it is reachable on the federation address.
/// </summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>
    /// Where the admin pages listen, <c>;</c>-separated (<c>http://127.0.0.1:8009</c>). Default empty: no admin
    /// listener. Port 0 picks a free port. Loopback addresses only, unless <see cref="AllowRemote"/> is set.
    /// </summary>
    public string Urls { get; set; } = "";

    /// <summary>
    /// Allow <see cref="Urls"/> on non-loopback addresses. Default false: the pages have no authentication of their own
    /// and show every event the server holds, so expose them only behind something that authenticates.
    /// </summary>
    public bool AllowRemote { get; set; }

    /// <summary>Events drawn when the DAG page asks without a limit. Default 200; 1 to <see cref="DagMaxLimit"/>.</summary>
    public int DagDefaultLimit { get; set; } = 200;

    /// <summary>Most events one DAG request may ask for (the page draws them all). Default 2000; 1 to 100000.</summary>
    public int DagMaxLimit { get; set; } = 2000;
}
