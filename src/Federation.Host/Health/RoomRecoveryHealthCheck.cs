using Federation.Resync.Recovery;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Host.Health;

/// <summary>Ready means also: the rooms of the recovery manifest that the database lacked were rebuilt (or tried) and
/// checked against their peers, so traffic is not routed to a server still rebuilding after a database loss.</summary>
public sealed class RoomRecoveryHealthCheck(RoomRecoveryService recovery) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!recovery.Completion.IsCompleted)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Rooms of the recovery manifest are being rebuilt from peers"));
        }

        var failed = recovery.Results.Values.Count(r => r.Outcome == RoomRebuildOutcome.Failed);
        return Task.FromResult(failed == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"{failed} rooms of the recovery manifest could not be rebuilt; see the log"));
    }
}
