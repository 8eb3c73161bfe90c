using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Federation.Protocol.Authentication;

/// <summary>
/// One <c>Authorization: X-Matrix origin="…",destination="…",key="…",sig="…"</c> header (spec "Request Authentication").
/// Parsing follows RFC 9110 auth-params: names are case-insensitive, values quoted or not, backslash escapes inside
/// quotes, unknown parameters ignored.
/// </summary>
public sealed record XMatrixAuthorization(string Origin, string? Destination, string KeyId, string Signature)
{
    public const string Scheme = "X-Matrix";

    /// <summary>The header value, with every parameter quoted.</summary>
    public string ToHeaderValue()
    {
        var value = new StringBuilder(Scheme).Append(' ');
        value.Append("origin=").Append(Quote(Origin));
        if (Destination is not null)
        {
            value.Append(",destination=").Append(Quote(Destination));
        }

        return value.Append(",key=").Append(Quote(KeyId)).Append(",sig=").Append(Quote(Signature)).ToString();
    }

    /// <summary>Parses a header value; a malformed one is reported as a value, never thrown.</summary>
    public static bool TryParse(string? header, [NotNullWhen(true)] out XMatrixAuthorization? authorization, [NotNullWhen(false)] out string? error)
    {
        authorization = null;
        if (string.IsNullOrEmpty(header) || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || header.Length == Scheme.Length || (header[Scheme.Length] != ' ' && header[Scheme.Length] != '\t'))
        {
            error = "Authorization header is not of the X-Matrix scheme";
            return false;
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = header.AsSpan(Scheme.Length);
        while (true)
        {
            text = text.TrimStart(" \t");
            if (text.IsEmpty)
            {
                break;
            }

            var equals = text.IndexOf('=');
            if (equals <= 0)
            {
                error = "X-Matrix parameter without a value";
                return false;
            }

            var name = text[..equals].Trim(" \t").ToString();
            text = text[(equals + 1)..].TrimStart(" \t");
            if (!TryReadValue(ref text, out var value))
            {
                error = $"X-Matrix parameter '{name}' has an unterminated quoted value";
                return false;
            }

            // A repeated parameter is ambiguous; the first wins, as in the reference implementations.
            parameters.TryAdd(name, value);
            text = text.TrimStart(" \t");
            if (text.IsEmpty)
            {
                break;
            }

            if (text[0] != ',')
            {
                error = $"X-Matrix parameters must be separated by commas (after '{name}')";
                return false;
            }

            text = text[1..];
        }

        if (!parameters.TryGetValue("origin", out var origin) || origin.Length == 0)
        {
            error = "X-Matrix header has no origin";
            return false;
        }

        if (!parameters.TryGetValue("key", out var key) || key.Length == 0)
        {
            error = "X-Matrix header has no key";
            return false;
        }

        if (!parameters.TryGetValue("sig", out var signature) || signature.Length == 0)
        {
            error = "X-Matrix header has no sig";
            return false;
        }

        authorization = new XMatrixAuthorization(origin, parameters.GetValueOrDefault("destination"), key, signature);
        error = null;
        return true;
    }

    private static bool TryReadValue(ref ReadOnlySpan<char> text, out string value)
    {
        if (text.IsEmpty || text[0] != '"')
        {
            var end = text.IndexOfAny(',', ' ', '\t');
            end = end < 0 ? text.Length : end;
            value = text[..end].ToString();
            text = text[end..];
            return true;
        }

        var builder = new StringBuilder();
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                builder.Append(text[++i]);
            }
            else if (c == '"')
            {
                value = builder.ToString();
                text = text[(i + 1)..];
                return true;
            }
            else
            {
                builder.Append(c);
            }
        }

        value = "";
        return false;
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
