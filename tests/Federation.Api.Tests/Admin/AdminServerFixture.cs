using Federation.Host.Admin;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Federation.Api.Tests.Admin;

/// <summary>
/// Our server with its admin listener on a free loopback port, over a database holding <see cref="AdminTestRoom"/>'s
/// room as <see cref="RoomId"/>.
/// </summary>
public sealed class AdminServerFixture : IAsyncLifetime
{
    public const string RoomId = "!dag:test.example";

    private readonly PostgresDatabaseFixture _database = new();

    public FederationServerFactory Server { get; private set; } = null!;

    /// <summary>The admin listener's base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri AdminAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        await using (var dataSource = NpgsqlDataSource.Create(_database.ConnectionString))
        {
            await AdminTestRoom.PersistAsync(new DagStore(dataSource, TimeProvider.System), RoomId);
        }

        Server = new FederationServerFactory(_database);
        Server.Settings["Admin:Urls"] = "http://127.0.0.1:0";
        AdminAddress = new Uri(Server.Services.GetRequiredService<AdminServer>().Addresses.Single());
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>The address of an admin path under the test room, e.g. <c>dag</c> or <c>dag.json?limit=5</c>.</summary>
    public Uri RoomPath(string path) => new(AdminAddress, $"/_admin/rooms/{Uri.EscapeDataString(RoomId)}/{path}");
}
