using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Federation.Api.Errors;

/// <summary>Writes the Matrix error body <c>{"errcode": …, "error": …}</c> every failed request answers with.</summary>
public static class MatrixErrorResponse
{
    public static Task WriteAsync(HttpContext context, int statusCode, string errorCode, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errcode"] = errorCode, ["error"] = message });
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
