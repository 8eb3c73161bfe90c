using Federation.Client.Keys;
using Federation.Protocol.Events;

namespace Federation.Ingest.Checks;

/// <summary>
/// Step 2 of the receive checks: every server that must sign the event (the sender's, for v1/v2 also the event id's,
/// for restricted joins also the authorising user's) has a signature on it that verifies with one of its keys.
/// From room version 5 the key must be valid at the event's <c>origin_server_ts</c>. Failing events are dropped.
/// </summary>
public sealed class PduSignatureCheck(IRemoteServerKeys keys)
{
    public async Task<PduOutcome> CheckAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var validAt = pdu.RoomVersion.EnforcesKeyValidity
            ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(pdu.OriginServerTs, 0, 253402300799999))
            : DateTimeOffset.MinValue;

        foreach (var server in EventSigning.RequiredSigners(pdu))
        {
            if (!await HasValidSignatureAsync(pdu, server, validAt, cancellationToken).ConfigureAwait(false))
            {
                return PduOutcome.Dropped($"No valid signature from {server}");
            }
        }

        return PduOutcome.Accepted;
    }

    private async Task<bool> HasValidSignatureAsync(Pdu pdu, string server, DateTimeOffset validAt, CancellationToken cancellationToken)
    {
        foreach (var keyId in EventSigning.SignatureKeyIds(pdu, server))
        {
            var key = await keys.GetAsync(server, keyId, validAt, cancellationToken).ConfigureAwait(false);
            if (key is not null && EventSigning.VerifySignature(pdu, server, keyId, key.PublicKey))
            {
                return true;
            }
        }

        return false;
    }
}
