using System.Text.Json;
using Federation.Protocol.Crypto;
using Federation.Protocol.Events;
using Federation.Protocol.Json;

namespace Federation.StateResolution.Auth;

/// <summary>Verification of an invite carrying <c>third_party_invite</c> against the <c>m.room.third_party_invite</c> it names.</summary>
internal static class ThirdPartyInvites
{
    /// <summary>
    /// Synapse's <c>_verify_third_party_invite</c>: <c>signed</c> has <c>mxid</c>, <c>token</c> and
    /// <c>signatures</c>; the named third-party invite exists and has the same sender; <c>mxid</c> is the state key; and
    /// for some public key of the invite (<c>public_key</c>, then each of <c>public_keys</c>), the first
    /// <c>ed25519:</c> signature in <c>signed.signatures</c> verifies with it.
    /// </summary>
    public static bool Verify(Pdu pdu, Pdu? thirdPartyInvite)
    {
        if (!pdu.Content.TryGetProperty("third_party_invite", out var invite) || invite.ValueKind != JsonValueKind.Object
            || !invite.TryGetProperty("signed", out var signed) || signed.ValueKind != JsonValueKind.Object
            || !signed.TryGetProperty("mxid", out var mxid) || !signed.TryGetProperty("token", out _)
            || !signed.TryGetProperty("signatures", out var signatures))
        {
            return false;
        }

        if (thirdPartyInvite is null || thirdPartyInvite.Sender != pdu.Sender)
        {
            return false;
        }

        if (mxid.ValueKind != JsonValueKind.String || mxid.GetString() != pdu.StateKey)
        {
            return false;
        }

        if (signatures.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        byte[]? signedBytes = null;
        foreach (var publicKey in PublicKeys(thirdPartyInvite.Content))
        {
            if (!TryDecodeKey(publicKey, out var keyBytes))
            {
                continue;
            }

            if (FirstEd25519Signature(signatures) is not { } first)
            {
                return false;
            }

            signedBytes ??= JsonSigning.SignedBytes(signed);
            if (JsonSigning.Verify(signed, first.Server, first.KeyName, keyBytes, signedBytes))
            {
                return true;
            }
        }

        return false;
    }

    private static (string Server, string KeyName)? FirstEd25519Signature(JsonElement signatures)
    {
        foreach (var server in signatures.EnumerateObject())
        {
            if (server.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var key in server.Value.EnumerateObject())
            {
                if (key.Name.StartsWith("ed25519:", StringComparison.Ordinal))
                {
                    return (server.Name, key.Name);
                }
            }
        }

        return null;
    }

    private static IEnumerable<JsonElement> PublicKeys(JsonElement content)
    {
        if (content.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        if (content.TryGetProperty("public_key", out var single))
        {
            yield return single;
        }

        if (content.TryGetProperty("public_keys", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in list.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("public_key", out var key))
                {
                    yield return key;
                }
            }
        }
    }

    private static bool TryDecodeKey(JsonElement key, out byte[] bytes)
    {
        bytes = [];
        if (key.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var text = key.GetString()!;
        return UnpaddedBase64.TryDecode(text, out bytes) || UnpaddedBase64.TryDecode(text.Replace('-', '+').Replace('_', '/'), out bytes);
    }
}
