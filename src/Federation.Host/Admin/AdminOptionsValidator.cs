using System.Net;
using Microsoft.Extensions.Options;

namespace Federation.Host.Admin;

/// <summary>Refuses admin URLs that do not parse or that leave loopback without <c>Admin:AllowRemote</c>, and bad limits.</summary>
public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var url in AdminUrls(options))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                failures.Add($"{AdminOptions.SectionName}:Urls: '{url}' is not an http(s) URL with a host");
            }
            else if (!options.AllowRemote && !IsLoopback(uri))
            {
                failures.Add($"{AdminOptions.SectionName}:Urls: '{url}' is not a loopback address; set {AdminOptions.SectionName}:AllowRemote to expose the admin pages");
            }
        }

        if (options.DagMaxLimit is < 1 or > 100_000)
        {
            failures.Add($"{AdminOptions.SectionName}:DagMaxLimit must be 1 to 100000");
        }

        if (options.DagDefaultLimit < 1 || options.DagDefaultLimit > options.DagMaxLimit)
        {
            failures.Add($"{AdminOptions.SectionName}:DagDefaultLimit must be 1 to DagMaxLimit");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The configured URLs, split and trimmed (empty: the admin listener is off).</summary>
    public static IReadOnlyList<string> AdminUrls(AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
