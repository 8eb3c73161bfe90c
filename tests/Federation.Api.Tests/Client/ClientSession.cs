using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Federation.Api.Tests.Client;

/// <summary>A local user talking to one of our servers over its Client-Server API, registered with the shared secret.</summary>
public sealed class ClientSession : IDisposable
{
    public const string SharedSecret = "a-test-registration-secret";

    private readonly HttpClient _http;

    private ClientSession(HttpClient http, string userId, string accessToken, string deviceId)
    {
        _http = http;
        UserId = userId;
        AccessToken = accessToken;
        DeviceId = deviceId;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
    }

    public string UserId { get; }

    public string AccessToken { get; }

    public string DeviceId { get; }

    public HttpClient Http => _http;

    /// <summary>The settings a server needs for shared-secret registration and cheap password hashing in tests.</summary>
    public static void Configure(FederationServerFactory server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.Settings["LocalUsers:RegistrationSharedSecret"] = SharedSecret;
        server.Settings["LocalUsers:PasswordHashIterations"] = "1000";
    }

    /// <summary>Registers <paramref name="username"/> through <c>/_synapse/admin/v1/register</c>.</summary>
    public static async Task<ClientSession> RegisterAsync(FederationServerFactory server, string username, bool admin = false)
    {
        ArgumentNullException.ThrowIfNull(server);
        var http = server.CreateClient();
        var response = await RegisterRawAsync(http, username, "password-" + username, admin, SharedSecret);
        var body = await Body(response);
        return new ClientSession(http, body["user_id"]!.GetValue<string>(), body["access_token"]!.GetValue<string>(), body["device_id"]!.GetValue<string>());
    }

    /// <summary>One nonce + MAC registration round, returning the raw answer.</summary>
    public static async Task<HttpResponseMessage> RegisterRawAsync(HttpClient http, string username, string password, bool admin, string secret)
    {
        ArgumentNullException.ThrowIfNull(http);
        var nonceAnswer = await http.GetAsync("/_synapse/admin/v1/register");
        var nonce = (await Body(nonceAnswer))["nonce"]!.GetValue<string>();
#pragma warning disable CA5350 // The registration protocol defines HMAC-SHA1.
        var mac = Convert.ToHexStringLower(HMACSHA1.HashData(
            Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes($"{nonce}\0{username}\0{password}\0{(admin ? "admin" : "notadmin")}")));
#pragma warning restore CA5350
        return await http.PostAsJsonAsync(
            "/_synapse/admin/v1/register",
            new { nonce, username, password, admin, mac });
    }

    public async Task<JsonNode> GetAsync(string path) => await Body(await _http.GetAsync(path));

    public async Task<JsonNode> PostAsync(string path, object body) => await Body(await _http.PostAsJsonAsync(path, body));

    public async Task<JsonNode> PutAsync(string path, object body) => await Body(await _http.PutAsJsonAsync(path, body));

    public async Task<string> CreateRoomAsync(object body) => (await PostAsync("/_matrix/client/v3/createRoom", body))["room_id"]!.GetValue<string>();

    public async Task<string> SendMessageAsync(string roomId, string text, string? txnId = null) =>
        (await PutAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{txnId ?? Guid.NewGuid().ToString("N")}",
            new { msgtype = "m.text", body = text }))["event_id"]!.GetValue<string>();

    /// <summary>The room's current state as sorted "type|state_key|event_id" lines.</summary>
    public async Task<string[]> StateAsync(string roomId)
    {
        var state = (await GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state")).AsArray();
        return [.. state.Select(e => $"{e!["type"]}|{e["state_key"]}|{e["event_id"]}").Order(StringComparer.Ordinal)];
    }

    /// <summary>The room's forward extremities, from the operator endpoint.</summary>
    public async Task<string[]> ExtremitiesAsync(string roomId)
    {
        var answer = await GetAsync($"/_matrix/client/unstable/org.example.federation/rooms/{Uri.EscapeDataString(roomId)}/extremities");
        return [.. answer["forward_extremities"]!.AsArray().Select(e => e!.GetValue<string>())];
    }

    /// <summary>The body of a 200 answer; any other status fails the test with the body.</summary>
    public static async Task<JsonNode> Body(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions())!;
    }

    public void Dispose() => _http.Dispose();
}
