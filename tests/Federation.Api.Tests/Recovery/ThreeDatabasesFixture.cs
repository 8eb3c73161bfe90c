namespace Federation.Api.Tests.Recovery;

/// <summary>Three fresh databases for one test class: one for each of three of our servers.</summary>
public sealed class ThreeDatabasesFixture() : DatabasesFixture(3);
