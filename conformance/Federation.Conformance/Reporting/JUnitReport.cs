using System.Globalization;
using System.Xml.Linq;
using Federation.Conformance.Running;

namespace Federation.Conformance.Reporting;

/// <summary>Writes results as JUnit XML (one test suite per scenario suite), the format CI systems read.</summary>
public static class JUnitReport
{
    public static void Write(string path, IReadOnlyList<ScenarioResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var suites = results.GroupBy(r => r.Suite, StringComparer.Ordinal).Select(suite => new XElement(
            "testsuite",
            new XAttribute("name", suite.Key),
            new XAttribute("tests", suite.Count()),
            new XAttribute("failures", suite.Count(r => r.Status == ScenarioStatus.Failed)),
            new XAttribute("skipped", suite.Count(r => r.Status == ScenarioStatus.Skipped)),
            new XAttribute("time", Seconds(suite.Sum(r => r.Duration.TotalSeconds))),
            suite.Select(Case)));
        var document = new XDocument(new XElement(
            "testsuites",
            new XAttribute("name", "federation-conformance"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", results.Count(r => r.Status == ScenarioStatus.Failed)),
            new XAttribute("skipped", results.Count(r => r.Status == ScenarioStatus.Skipped)),
            suites));
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        document.Save(path);
    }

    private static XElement Case(ScenarioResult result)
    {
        var element = new XElement(
            "testcase",
            new XAttribute("classname", "conformance." + result.Suite.Replace('/', '.')),
            new XAttribute("name", result.Name),
            new XAttribute("time", Seconds(result.Duration.TotalSeconds)),
            new XElement("properties", new XElement("property", new XAttribute("name", "spec"), new XAttribute("value", result.Spec))));
        switch (result.Status)
        {
            case ScenarioStatus.Failed:
                element.Add(new XElement("failure", new XAttribute("message", result.Reason), result.Reason));
                break;
            case ScenarioStatus.Skipped:
                element.Add(new XElement("skipped", new XAttribute("message", result.Reason)));
                break;
        }

        return element;
    }

    private static string Seconds(double seconds) => seconds.ToString("0.000", CultureInfo.InvariantCulture);
}
