using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Joins;

/// <summary>Two fresh databases for one test class: one for each of two of our servers.</summary>
public sealed class TwoDatabasesFixture() : DatabasesFixture(2)
{
    public PostgresDatabaseFixture First => this[0];

    public PostgresDatabaseFixture Second => this[1];
}
