using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Federation.Api.Authentication;

/// <summary>What X-Matrix authentication established about a request: who sent it, and its parsed JSON body.</summary>
public sealed class FederationRequest
{
    public FederationRequest(string origin, JsonDocument? body)
    {
        Origin = origin;
        Body = body;
    }

    /// <summary>The server whose signature on the request verified.</summary>
    public string Origin { get; }

    /// <summary>The request body, parsed once during authentication; null for requests without one.</summary>
    public JsonDocument? Body { get; }

    /// <summary>The authenticated request; only available behind the authentication filter.</summary>
    public static FederationRequest Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<FederationRequest>()
            ?? throw new InvalidOperationException("The endpoint is not behind X-Matrix authentication");
    }
}
