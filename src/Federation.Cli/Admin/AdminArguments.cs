using System.Globalization;

namespace Federation.Cli.Admin;

/// <summary>Parsed arguments of the admin commands (<c>room inspect|export|state|fingerprint</c>, <c>destinations</c>),
/// which read a server's database. <c>room fingerprint</c> takes its event as <c>--event</c>.</summary>
internal sealed record AdminArguments(
    string Command,
    string? RoomId,
    string? EventId,
    string? Database,
    string? Settings,
    string? Out,
    bool FromScratch,
    int PageSize)
{
    public const int DefaultPageSize = 1000;

    /// <summary>Whether <paramref name="args"/> name an admin command (so the admin parser should read them).</summary>
    public static bool IsAdminCommand(string[] args) => args.Length > 0 && args[0] is "room" or "destinations";

    public static bool TryParse(string[] args, out AdminArguments parsed, out string error)
    {
        parsed = new AdminArguments("", null, null, null, null, null, false, DefaultPageSize);
        error = "";
        var positional = new List<string>();
        string? database = null, settings = null, output = null, eventOption = null;
        var fromScratch = false;
        var pageSize = DefaultPageSize;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--database" or "--settings" or "--out" or "--event" when i + 1 >= args.Length:
                    error = $"{args[i]} needs a value";
                    return false;
                case "--database":
                    database = args[++i];
                    break;
                case "--settings":
                    settings = args[++i];
                    break;
                case "--out":
                    output = args[++i];
                    break;
                case "--event":
                    eventOption = args[++i];
                    break;
                case "--from-scratch":
                    fromScratch = true;
                    break;
                case "--page-size":
                    if (++i >= args.Length || !int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1)
                    {
                        error = "--page-size needs a positive number";
                        return false;
                    }

                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        error = $"unexpected option '{args[i]}'";
                        return false;
                    }

                    positional.Add(args[i]);
                    break;
            }
        }

        var (command, wanted) = args[0] == "destinations"
            ? ("destinations", 0)
            : positional.Count == 0 ? ("room", -1) : ("room " + positional[0], positional[0] switch
            {
                "inspect" or "export" or "fingerprint" => 2,
                "state" => 3,
                _ => -1,
            });
        if (wanted < 0)
        {
            error = "room needs a subcommand: inspect, export, state or fingerprint";
            return false;
        }

        if (positional.Count != wanted)
        {
            error = $"{command} takes {wanted switch { 0 => "no arguments", 2 => "ROOM_ID", _ => "ROOM_ID EVENT_ID" }}";
            return false;
        }

        if (output is not null && command != "room export")
        {
            error = "--out is an option of room export";
            return false;
        }

        if (eventOption is not null && command != "room fingerprint")
        {
            error = "--event is an option of room fingerprint";
            return false;
        }

        if (fromScratch && command != "room state")
        {
            error = "--from-scratch is an option of room state";
            return false;
        }

        parsed = new AdminArguments(
            command, wanted >= 2 ? positional[1] : null, wanted == 3 ? positional[2] : eventOption, database, settings, output, fromScratch, pageSize);
        return true;
    }
}
