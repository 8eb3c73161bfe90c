using Microsoft.Extensions.Hosting;

namespace Federation.Resync;

/// <summary>
/// A background service that makes one pass every poll interval while enabled. It waits first (the server is just
/// starting); a failing pass is reported and the next one comes at its time.
/// </summary>
public abstract class PeriodicPassService : BackgroundService
{
    protected abstract TimeProvider Time { get; }

    protected abstract TimeSpan PollInterval { get; }

    protected abstract bool Enabled { get; }

    protected abstract Task PassAsync(CancellationToken cancellationToken);

    protected abstract void OnPassFailed(Exception exception);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(PollInterval, Time, stoppingToken).ConfigureAwait(false);
            try
            {
                if (Enabled)
                {
                    await PassAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                OnPassFailed(e);
            }
        }
    }
}
