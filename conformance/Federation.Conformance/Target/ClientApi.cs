using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Federation.Conformance.Running;

namespace Federation.Conformance.Target;

/// <summary>
/// The Client-Server API subset the runner prepares the target with: shared-secret registration, createRoom, send,
/// state, event, and the vendor extremities endpoint. A missing endpoint surfaces as <see cref="MissingEndpointException"/>.
/// </summary>
public sealed class ClientApi : IDisposable
{
    /// <summary>The vendor endpoint listing a room's forward extremities (see docs/local-api.md).</summary>
    public const string ExtremitiesPath = "/_matrix/client/unstable/org.example.federation/rooms/{roomId}/extremities";

    private readonly HttpClient _http;

    private ClientApi(HttpClient http, string userId)
    {
        _http = http;
        UserId = userId;
    }

    public string UserId { get; }

    /// <summary>Registers <paramref name="username"/> through <c>/_synapse/admin/v1/register</c> (Synapse's shared-secret shape).</summary>
    public static async Task<ClientApi> RegisterAsync(TargetServer target, string username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var http = new HttpClient { BaseAddress = target.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var nonce = (await BodyAsync(await http.GetAsync("/_synapse/admin/v1/register", cancellationToken).ConfigureAwait(false), cancellationToken)
                .ConfigureAwait(false))["nonce"]!.GetValue<string>();
            var password = "conformance-" + Guid.NewGuid().ToString("N");
#pragma warning disable CA5350 // The registration protocol defines HMAC-SHA1.
            var mac = Convert.ToHexStringLower(HMACSHA1.HashData(
                Encoding.UTF8.GetBytes(target.RegistrationSharedSecret),
                Encoding.UTF8.GetBytes($"{nonce}\0{username}\0{password}\0admin")));
#pragma warning restore CA5350
            var registered = await BodyAsync(
                await http.PostAsJsonAsync("/_synapse/admin/v1/register", new { nonce, username, password, admin = true, mac }, cancellationToken)
                    .ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", registered["access_token"]!.GetValue<string>());
            return new ClientApi(http, registered["user_id"]!.GetValue<string>());
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    public async Task<string> CreateRoomAsync(JsonObject request, CancellationToken cancellationToken) =>
        (await PostAsync("/_matrix/client/v3/createRoom", request, cancellationToken).ConfigureAwait(false))["room_id"]!.GetValue<string>();

    /// <summary>Sends a message-like event (no state key) or a state event; returns its id.</summary>
    public async Task<string> SendAsync(string roomId, string type, string? stateKey, JsonNode content, CancellationToken cancellationToken)
    {
        var room = Uri.EscapeDataString(roomId);
        var path = stateKey is null
            ? $"/_matrix/client/v3/rooms/{room}/send/{Uri.EscapeDataString(type)}/{Guid.NewGuid():N}"
            : $"/_matrix/client/v3/rooms/{room}/state/{Uri.EscapeDataString(type)}/{Uri.EscapeDataString(stateKey)}";
        using var response = await _http.PutAsJsonAsync(path, content, cancellationToken).ConfigureAwait(false);
        return (await BodyAsync(response, cancellationToken).ConfigureAwait(false))["event_id"]!.GetValue<string>();
    }

    /// <summary>The room's current state as client events.</summary>
    public async Task<JsonArray> StateAsync(string roomId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state", cancellationToken).ConfigureAwait(false);
        return (await BodyAsync(response, cancellationToken).ConfigureAwait(false)).AsArray();
    }

    /// <summary>Whether the target shows the event to its joined user (200), or not (404).</summary>
    public async Task<bool> EventVisibleAsync(string roomId, string eventId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/event/{Uri.EscapeDataString(eventId)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return body.Contains("M_UNRECOGNIZED", StringComparison.Ordinal)
                ? throw new MissingEndpointException("GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}")
                : false;
        }

        await BodyAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The room's forward extremities, from the vendor endpoint.</summary>
    public async Task<IReadOnlyList<string>> ExtremitiesAsync(string roomId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(ExtremitiesPath.Replace("{roomId}", Uri.EscapeDataString(roomId), StringComparison.Ordinal), cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            throw new MissingEndpointException("GET " + ExtremitiesPath);
        }

        var body = await BodyAsync(response, cancellationToken).ConfigureAwait(false);
        return [.. body["forward_extremities"]!.AsArray().Select(e => e!.GetValue<string>())];
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> PostAsync(string path, JsonNode body, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(path, body, cancellationToken).ConfigureAwait(false);
        return await BodyAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonNode> BodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var request = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed && text.Contains("M_UNRECOGNIZED", StringComparison.Ordinal))
        {
            throw new MissingEndpointException(request);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ScenarioFailedException($"preparation: {request} answered {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text)!;
    }
}
