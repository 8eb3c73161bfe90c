using Federation.Protocol.Keys;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>The fixed identities that sign generated inputs: fixed seeds keep every generated input reproducible.</summary>
public static class FuzzKeys
{
    public static ServerIdentity Origin { get; } =
        new("origin.fuzz.example", SigningKey.FromSeed("fuzz1", Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()));

    public static ServerIdentity Destination { get; } =
        new("destination.fuzz.example:8448", SigningKey.FromSeed("fuzz2", Enumerable.Range(101, 32).Select(i => (byte)i).ToArray()));
}
