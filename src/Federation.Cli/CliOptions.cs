using System.Globalization;

namespace Federation.Cli;

/// <summary>Parsed command-line arguments.</summary>
internal sealed record CliOptions(string Command, string File, string? At, bool After, bool TrustDag, bool Stats, int Repeat)
{
    public static bool TryParse(string[] args, out CliOptions options, out string error)
    {
        options = new CliOptions("", "", null, false, false, false, 1);
        error = "";
        var command = args[0];
        if (command is not ("resolve" or "state"))
        {
            error = $"unknown command '{command}'";
            return false;
        }

        string? file = null;
        string? at = null;
        bool after = false, trustDag = false, stats = false;
        var repeat = 1;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--at" when command == "state":
                    if (++i >= args.Length)
                    {
                        error = "--at needs an event id";
                        return false;
                    }

                    at = args[i];
                    break;
                case "--after" when command == "state":
                    after = true;
                    break;
                case "--trust-dag" when command == "state":
                    trustDag = true;
                    break;
                case "--stats":
                    stats = true;
                    break;
                case "--repeat":
                    if (++i >= args.Length || !int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out repeat) || repeat < 1)
                    {
                        error = "--repeat needs a positive number";
                        return false;
                    }

                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal) || file is not null)
                    {
                        error = $"unexpected argument '{arg}' for {command}";
                        return false;
                    }

                    file = arg;
                    break;
            }
        }

        if (file is null)
        {
            error = $"{command} needs a FILE";
            return false;
        }

        if (command == "state" && at is null)
        {
            error = "state needs --at EVENT_ID";
            return false;
        }

        options = new CliOptions(command, file, at, after, trustDag, stats, repeat);
        return true;
    }
}
