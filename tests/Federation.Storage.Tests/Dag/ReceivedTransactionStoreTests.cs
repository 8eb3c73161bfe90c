using System.Text;
using Federation.Storage.Dag.Transactions;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class ReceivedTransactionStoreTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_stored_response_is_returned_for_the_same_origin_and_transaction_only()
    {
        var transactions = new ReceivedTransactionStore(DataSource, Clock);
        var origin = $"{Guid.NewGuid():N}.test";
        var response = Encoding.UTF8.GetBytes("""{"pdus":{"$a":{}}}""");

        Assert.Null(await transactions.GetResponseAsync(origin, "t1"));
        Assert.Equal(response, await transactions.StoreResponseAsync(origin, "t1", response));

        Assert.Equal(response, await transactions.GetResponseAsync(origin, "t1"));
        Assert.Null(await transactions.GetResponseAsync(origin, "t2"));
        Assert.Null(await transactions.GetResponseAsync("other.test", "t1"));
    }

    [Fact]
    public async Task A_second_response_to_the_same_transaction_keeps_the_first()
    {
        var transactions = new ReceivedTransactionStore(DataSource, Clock);
        var origin = $"{Guid.NewGuid():N}.test";
        var first = Encoding.UTF8.GetBytes("""{"pdus":{}}""");

        await transactions.StoreResponseAsync(origin, "t", first);
        var kept = await transactions.StoreResponseAsync(origin, "t", Encoding.UTF8.GetBytes("""{"pdus":{"$x":{}}}"""));

        Assert.Equal(first, kept);
        Assert.Equal(first, await transactions.GetResponseAsync(origin, "t"));
    }

    [Fact]
    public async Task Old_transactions_are_purged()
    {
        var transactions = new ReceivedTransactionStore(DataSource, Clock);
        var origin = $"{Guid.NewGuid():N}.test";
        await transactions.StoreResponseAsync(origin, "old", "{}"u8.ToArray());
        Clock.Advance(TimeSpan.FromHours(25));
        await transactions.StoreResponseAsync(origin, "new", "{}"u8.ToArray());

        Assert.True(await transactions.PurgeOlderThanAsync(TimeSpan.FromHours(24)) >= 1);

        Assert.Null(await transactions.GetResponseAsync(origin, "old"));
        Assert.NotNull(await transactions.GetResponseAsync(origin, "new"));
    }
}
