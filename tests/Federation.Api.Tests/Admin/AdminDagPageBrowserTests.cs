using Federation.Testing.Postgres;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace Federation.Api.Tests.Admin;

/// <summary>The DAG page in a real headless Chromium: what it draws, and what a click shows.</summary>
public sealed class AdminDagPageBrowserTests(AdminServerFixture admin, ITestOutputHelper output) : IClassFixture<AdminServerFixture>
{
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(30);

    [BrowserFact]
    public void The_page_draws_every_event_with_its_status_and_edges_and_shows_a_clicked_event()
    {
        using var browser = ChromiumBrowser.Start();
        browser.Navigate().GoToUrl(admin.RoomPath("dag"));
        var wait = new WebDriverWait(browser, PageTimeout);
        wait.Until(d => d.FindElement(By.Id("dag")).GetAttribute("data-ready") is "true" or "error");

        SaveScreenshot(browser, "admin-dag.png");
        Assert.Equal("true", browser.FindElement(By.Id("dag")).GetAttribute("data-ready"));
        Assert.Equal(12, browser.FindElements(By.CssSelector("#dag g.node:not(.hole)")).Count);
        Assert.Single(browser.FindElements(By.CssSelector("#dag g.node.hole[data-event-id='$gone']")));
        var rejected = browser.FindElement(By.CssSelector("#dag g.node[data-event-id='$tb']"));
        Assert.Contains("status-rejected", rejected.GetAttribute("class")!, StringComparison.Ordinal);
        var rejectedCircle = rejected.FindElement(By.TagName("circle"));
        Assert.Equal("rgb(217, 83, 79)", rejectedCircle.GetCssValue("fill"));
        Assert.Equal("rgb(92, 184, 92)", browser.FindElement(By.CssSelector("#dag g.node[data-event-id='$ta'] circle")).GetCssValue("fill"));
        Assert.Contains("status-soft_failed", browser.FindElement(By.CssSelector("#dag g.node[data-event-id='$sf']")).GetAttribute("class")!, StringComparison.Ordinal);
        Assert.Contains("outlier", browser.FindElement(By.CssSelector("#dag g.node[data-event-id='$out']")).GetAttribute("class")!, StringComparison.Ordinal);
        Assert.Single(browser.FindElements(By.CssSelector("#dag line.edge.kind-prev[data-from='$m'][data-to='$ta']")));
        Assert.Single(browser.FindElements(By.CssSelector("#dag line.edge.kind-hole[data-from='$x'][data-to='$gone']")));

        rejectedCircle.Click();
        wait.Until(d => d.FindElement(By.Id("side")).GetAttribute("data-event-id") == "$tb");

        SaveScreenshot(browser, "admin-dag-selected.png");
        Assert.Contains("\"m.room.topic\"", browser.FindElement(By.Id("event-json")).Text, StringComparison.Ordinal);
        Assert.Contains("rejected", browser.FindElement(By.Id("event-status")).Text, StringComparison.Ordinal);
        Assert.Contains("m.room.power_levels \"\" → $pl", browser.FindElement(By.Id("state-before")).Text, StringComparison.Ordinal);
    }

    /// <summary>Keeps what the browser showed as a test artefact (TestResults/screenshots/ at the repository root).</summary>
    private void SaveScreenshot(ChromeDriver browser, string name)
    {
        var directory = Path.Combine(RepositoryLayout.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        browser.GetScreenshot().SaveAsFile(path);
        output.WriteLine($"screenshot: {path}");
    }
}
