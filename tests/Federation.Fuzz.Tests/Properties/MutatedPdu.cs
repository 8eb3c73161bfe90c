using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;

namespace Federation.Fuzz.Tests.Properties;

/// <summary>A generated event after <see cref="Mutations"/> turned its text into <see cref="Text"/>.</summary>
public sealed record MutatedPdu(GeneratedPdu Original, byte[] Text, string Mutations)
{
    public override string ToString() => $"room version {Original.Version.Id}, {Mutations}: {FuzzRun.Printable(Text)}";
}
