namespace Federation.Api.Tests.Load;

/// <summary>Samples this process's working set and managed heap at a fixed interval, keeping the peaks.</summary>
public sealed class ResourceSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ResourceSampler(TimeSpan every) => _loop = SampleAsync(every, _stop.Token);

    public long PeakWorkingSetBytes { get; private set; }

    public long PeakManagedHeapBytes { get; private set; }

    public int Samples { get; private set; }

    public static ResourceSampler Start(TimeSpan every) => new(every);

    /// <summary>Takes a last sample and stops; the peaks are final afterwards.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Sample();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync(TimeSpan every, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(every, TimeProvider.System);
        try
        {
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Sample()
    {
        PeakWorkingSetBytes = Math.Max(PeakWorkingSetBytes, Environment.WorkingSet);
        PeakManagedHeapBytes = Math.Max(PeakManagedHeapBytes, GC.GetTotalMemory(forceFullCollection: false));
        Samples++;
    }
}
