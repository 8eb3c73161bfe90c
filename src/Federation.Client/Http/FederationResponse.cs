using System.Text.Json;

namespace Federation.Client.Http;

/// <summary>
/// What a remote server answered, or why it could not be asked. Remote failures are ordinary outcomes of federation,
/// so they are values here rather than exceptions.
/// </summary>
public sealed class FederationResponse : IDisposable
{
    private FederationResponse(string destination, int statusCode, JsonDocument? body, string? errorCode, string? failure)
    {
        Destination = destination;
        StatusCode = statusCode;
        Body = body;
        ErrorCode = errorCode;
        Failure = failure;
    }

    public string Destination { get; }

    /// <summary>The HTTP status, or 0 when no response was received.</summary>
    public int StatusCode { get; }

    /// <summary>The JSON body, when the remote sent one.</summary>
    public JsonDocument? Body { get; }

    /// <summary>The Matrix <c>errcode</c> of an error response, if any.</summary>
    public string? ErrorCode { get; }

    /// <summary>Why the request failed, in words; null on success.</summary>
    public string? Failure { get; }

    public bool IsSuccess => StatusCode is >= 200 and < 300 && Body is not null;

    public static FederationResponse Received(string destination, int statusCode, JsonDocument? body)
    {
        string? errorCode = null;
        string? failure = null;
        if (statusCode is < 200 or >= 300)
        {
            if (body?.RootElement is { ValueKind: JsonValueKind.Object } error)
            {
                errorCode = error.TryGetProperty("errcode", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
                var message = error.TryGetProperty("error", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
                failure = $"{destination} answered {statusCode} {errorCode} {message}".TrimEnd();
            }
            else
            {
                failure = $"{destination} answered {statusCode}";
            }
        }
        else if (body is null)
        {
            failure = $"{destination} answered {statusCode} without a JSON body";
        }

        return new FederationResponse(destination, statusCode, body, errorCode, failure);
    }

    public static FederationResponse Unreachable(string destination, string reason) =>
        new(destination, 0, null, null, $"{destination} could not be reached: {reason}");

    public void Dispose() => Body?.Dispose();
}
