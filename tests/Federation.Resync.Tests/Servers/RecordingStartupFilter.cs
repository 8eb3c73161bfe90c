using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Federation.Resync.Tests.Servers;

/// <summary>Puts the <see cref="RequestRecorder"/> in front of the whole pipeline.</summary>
internal sealed class RecordingStartupFilter(RequestRecorder recorder) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (recorder.Record(context.Request.Path.Value ?? ""))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsJsonAsync(new { errcode = "M_UNRECOGNIZED", error = "Unrecognized request" });
                return;
            }

            await nextMiddleware(context);
        });
        next(app);
    };
}
