using OpenQA.Selenium.Chrome;

namespace Federation.Api.Tests.Admin;

/// <summary>
/// Headless Chromium through chromedriver: the system's packages (Debian's <c>chromium</c> and <c>chromium-driver</c>,
/// which <c>.ci/run</c> installs), never a downloaded browser. <c>FEDERATION_TEST_CHROMIUM</c> and
/// <c>FEDERATION_TEST_CHROMEDRIVER</c> name other binaries.
/// </summary>
internal static class ChromiumBrowser
{
    private static readonly string[] BrowserCandidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    /// <summary>The browser binary, or null when none is installed.</summary>
    public static string? BinaryPath { get; } =
        Environment.GetEnvironmentVariable("FEDERATION_TEST_CHROMIUM") is { Length: > 0 } configured ? configured
        : BrowserCandidates.FirstOrDefault(File.Exists);

    private static string DriverPath =>
        Environment.GetEnvironmentVariable("FEDERATION_TEST_CHROMEDRIVER") is { Length: > 0 } configured ? configured : "/usr/bin/chromedriver";

    /// <summary>A new headless browser; a missing chromedriver fails the test (only a missing browser skips it).</summary>
    public static ChromeDriver Start()
    {
        var binary = BinaryPath ?? throw new InvalidOperationException("No Chromium binary.");
        if (!File.Exists(DriverPath))
        {
            throw new InvalidOperationException($"Chromium is at {binary} but chromedriver is not at {DriverPath}: install chromium-driver.");
        }

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = binary };
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,900");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
