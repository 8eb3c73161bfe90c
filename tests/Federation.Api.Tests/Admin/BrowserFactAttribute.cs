namespace Federation.Api.Tests.Admin;

/// <summary>A fact that needs a Chromium binary, skipped (with the reason) only when none is installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (ChromiumBrowser.BinaryPath is null)
        {
            Skip = "No Chromium binary (/usr/bin/chromium): install Debian's chromium and chromium-driver (.ci/run does), or set FEDERATION_TEST_CHROMIUM";
        }
    }
}
