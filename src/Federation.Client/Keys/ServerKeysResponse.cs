using System.Text.Json;

namespace Federation.Client.Keys;

/// <summary>A server's verified <c>/_matrix/key/v2/server</c> response, as it sent it.</summary>
/// <param name="ServerName">The server the response is from.</param>
/// <param name="Json">The response object, with the server's own signatures.</param>
/// <param name="ValidUntil">Until when its current keys are valid (capped at fetch time + 7 days).</param>
public sealed record ServerKeysResponse(string ServerName, JsonElement Json, DateTimeOffset ValidUntil);
