using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Federation.Testing.Homeservers;

/// <summary>The small web servers tests play remote homeservers with: Kestrel on a free loopback port, no logging.</summary>
public static class LoopbackApp
{
    /// <summary>Far enough ahead that the keys fake servers publish never expire during a test (2100-01-01).</summary>
    public static readonly DateTimeOffset KeysValidUntil = DateTimeOffset.FromUnixTimeMilliseconds(4_102_444_800_000);

    /// <summary>
    /// An application listening on <paramref name="port"/> (by default a free loopback port) once started; map its
    /// endpoints before that.
    /// </summary>
    public static WebApplication Create(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        return builder.Build();
    }

    /// <summary>Starts <paramref name="app"/> and returns the base URL it listens on (ending in a slash).</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}
