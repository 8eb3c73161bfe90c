using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Errors;
using Federation.Protocol.Json;
using Microsoft.AspNetCore.Http;

namespace Federation.Api.Client;

/// <summary>Reading Client-Server request bodies: a JSON object, else <c>400 M_NOT_JSON</c> / <c>M_BAD_JSON</c>.</summary>
public static class ClientJson
{
    /// <summary>The body as an object; an empty body is an empty object.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.ContentLength is 0)
        {
            return [];
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(
                context.Request.Body,
                documentOptions: new JsonDocumentOptions { MaxDepth = CanonicalJson.MaxDepth },
                cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new MatrixException(ErrorCode.NotJson, "Content not JSON: " + e.Message);
        }

        return node switch
        {
            null => [],
            JsonObject body => body,
            _ => throw new MatrixException(ErrorCode.BadJson, "The body must be a JSON object"),
        };
    }

    /// <summary>A string member, or null when absent; <c>400 M_BAD_JSON</c> when it is something else.</summary>
    public static string? OptionalString(JsonObject body, string name)
    {
        ArgumentNullException.ThrowIfNull(body);
        return body[name] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            _ => throw new MatrixException(ErrorCode.BadJson, $"'{name}' must be a string"),
        };
    }

    /// <summary>A required string member (<c>400 M_MISSING_PARAM</c> when absent).</summary>
    public static string RequiredString(JsonObject body, string name) =>
        OptionalString(body, name) ?? throw new MatrixException(ErrorCode.MissingParam, $"'{name}' is required");

    /// <summary>Writes a JSON object answer.</summary>
    public static IResult Ok(JsonObject body) => Results.Text(body.ToJsonString(), "application/json");
}
