using Federation.Protocol.Events;

namespace Federation.Protocol.Tests;

public class ArchitectureTests
{
    [Fact]
    public void The_protocol_library_depends_on_no_web_database_or_resilience_framework()
    {
        var forbidden = new[] { "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Npgsql", "Polly", "Federation." };
        var references = typeof(Pdu).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.DoesNotContain(references, name => forbidden.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
    }
}
