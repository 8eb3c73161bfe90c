using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Authentication;
using Federation.Protocol.Events;
using Federation.Protocol.Json;

namespace Federation.Testing.Homeservers;

/// <summary>
/// A <c>PUT /send/{txnId}</c> signed with X-Matrix ahead of time, exactly as <see cref="FakeHomeserver.SendSignedAsync(Uri, string, HttpMethod, string, string?, Protocol.Keys.SigningKey?)"/>
/// signs it, so that the sender's signing is not counted in the measured window.
/// </summary>
public sealed class SignedTransaction
{
    private SignedTransaction(string pathAndQuery, string authorization, byte[] body, IReadOnlyList<string> eventIds)
    {
        PathAndQuery = pathAndQuery;
        Authorization = authorization;
        Body = body;
        EventIds = eventIds;
    }

    public string PathAndQuery { get; }

    public string Authorization { get; }

    public byte[] Body { get; }

    public IReadOnlyList<string> EventIds { get; }

    public static SignedTransaction Create(FakeHomeserver origin, string destination, string txnId, IReadOnlyList<Pdu> pdus)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(pdus);
        var json = new JsonObject
        {
            ["origin"] = origin.ServerName,
            ["origin_server_ts"] = 1_700_000_000_000,
            ["pdus"] = new JsonArray([.. pdus.Select(p => JsonNode.Parse(p.Json.GetRawText()))]),
        };
        using var body = JsonDocument.Parse(json.ToJsonString());
        var path = "/_matrix/federation/v1/send/" + txnId;
        var authorization = RequestSigning.Sign("PUT", path, origin.ServerName, destination, body.RootElement, origin.SigningKey);
        return new SignedTransaction(path, authorization.ToHeaderValue(), CanonicalJson.Encode(body.RootElement), [.. pdus.Select(p => p.EventId)]);
    }

    public HttpRequestMessage ToRequest(Uri server)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, new Uri(server, PathAndQuery));
        request.Headers.TryAddWithoutValidation("Authorization", Authorization);
        request.Content = new ByteArrayContent(Body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }
}
