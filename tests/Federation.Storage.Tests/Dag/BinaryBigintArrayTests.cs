using Federation.Storage.Dag.State;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Dag;

public sealed class BinaryBigintArrayTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Theory]
    [InlineData("'{}'::bigint[]", new long[0])]
    [InlineData("ARRAY[0]::bigint[]", new long[] { 0 })]
    [InlineData("ARRAY[1, -2, 9223372036854775807, -9223372036854775808]::bigint[]", new long[] { 1, -2, long.MaxValue, long.MinValue })]
    public async Task What_the_database_sends_for_a_bigint_array_parses_back_whole(string array, long[] expected) =>
        Assert.Equal(expected, BinaryBigintArray.Parse(await SendAsync(array)));

    [Fact]
    public async Task A_big_array_parses_back_in_order()
    {
        var parsed = BinaryBigintArray.Parse(await SendAsync("ARRAY(SELECT g::bigint * 3 FROM generate_series(1, 100000) AS g)"));

        Assert.Equal(Enumerable.Range(1, 100_000).Select(i => i * 3L), parsed);
    }

    [Theory]
    [InlineData("ARRAY[1, NULL]::bigint[]")]
    [InlineData("ARRAY[1, 2]::integer[]")]
    [InlineData("ARRAY[[1, 2], [3, 4]]::bigint[]")]
    public async Task Anything_but_a_flat_bigint_array_without_nulls_is_refused(string array)
    {
        var value = await SendAsync(array);

        Assert.Throws<InvalidOperationException>(() => BinaryBigintArray.Parse(value));
    }

    private async Task<byte[]> SendAsync(string array)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
#pragma warning disable CA2100 // Test constants only.
        await using var command = dataSource.CreateCommand($"SELECT array_send({array})");
#pragma warning restore CA2100
        return (byte[])(await command.ExecuteScalarAsync())!;
    }
}
