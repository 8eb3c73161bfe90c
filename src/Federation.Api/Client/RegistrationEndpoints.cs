using System.Text.Json.Nodes;
using Federation.Local.Accounts;
using Federation.Protocol.Errors;
using Federation.Protocol.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Client;

/// <summary>
/// Accounts: registration only through Synapse's shared-secret admin API (<c>GET/POST /_synapse/admin/v1/register</c>),
/// which tools for other homeservers use; the open <c>POST /_matrix/client/v3/register</c> always answers
/// <c>403 M_FORBIDDEN</c>. Registered users log in again with <c>m.login.password</c>.
/// </summary>
public static class RegistrationEndpoints
{
    public static IEndpointRouteBuilder MapRegistrationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_synapse/admin/v1/register", (SharedSecretRegistration registration) =>
            ClientJson.Ok(new JsonObject { ["nonce"] = registration.NewNonce() }));
        endpoints.MapPost("/_synapse/admin/v1/register", RegisterWithSharedSecretAsync);
        endpoints.MapPost("/_matrix/client/v3/register", (SharedSecretRegistration registration) =>
        {
            throw new MatrixException(
                ErrorCode.Forbidden,
                registration.IsEnabled ? "Registration is only possible with the shared secret (/_synapse/admin/v1/register)" : "Registration is disabled",
                StatusCodes.Status403Forbidden);
        });
        endpoints.MapGet("/_matrix/client/v3/login", () =>
            ClientJson.Ok(new JsonObject { ["flows"] = new JsonArray(new JsonObject { ["type"] = "m.login.password" }) }));
        endpoints.MapPost("/_matrix/client/v3/login", LoginAsync);
        return endpoints;
    }

    private static async Task<IResult> RegisterWithSharedSecretAsync(HttpContext context, SharedSecretRegistration registration, ServerIdentity identity)
    {
        var body = await ClientJson.ReadObjectAsync(context).ConfigureAwait(false);
        var admin = body["admin"] is JsonValue flag && flag.TryGetValue<bool>(out var isAdmin) && isAdmin;
        var result = await registration.RegisterAsync(
            ClientJson.RequiredString(body, "nonce"),
            ClientJson.RequiredString(body, "username"),
            ClientJson.RequiredString(body, "password"),
            admin,
            ClientJson.OptionalString(body, "user_type"),
            ClientJson.RequiredString(body, "mac"),
            context.RequestAborted).ConfigureAwait(false);
        return ClientJson.Ok(new JsonObject
        {
            ["user_id"] = result.UserId,
            ["access_token"] = result.AccessToken,
            ["device_id"] = result.DeviceId,
            ["home_server"] = identity.ServerName,
        });
    }

    private static async Task<IResult> LoginAsync(HttpContext context, LocalAccountStore accounts, ServerIdentity identity)
    {
        var body = await ClientJson.ReadObjectAsync(context).ConfigureAwait(false);
        if (ClientJson.OptionalString(body, "type") != "m.login.password")
        {
            throw new MatrixException(ErrorCode.Unknown, "Only m.login.password is supported");
        }

        var user = body["identifier"] is JsonObject identifier ? ClientJson.OptionalString(identifier, "user") : ClientJson.OptionalString(body, "user");
        if (string.IsNullOrEmpty(user))
        {
            throw new MatrixException(ErrorCode.MissingParam, "'identifier.user' is required");
        }

        var userId = user.StartsWith('@') ? user : accounts.UserIdOf(user.ToLowerInvariant());
        var password = ClientJson.RequiredString(body, "password");
        if (!await accounts.CheckPasswordAsync(userId, password, context.RequestAborted).ConfigureAwait(false))
        {
            throw new MatrixException(ErrorCode.Forbidden, "Invalid username or password", StatusCodes.Status403Forbidden);
        }

        var device = await accounts.CreateDeviceAsync(userId, context.RequestAborted).ConfigureAwait(false);
        return ClientJson.Ok(new JsonObject
        {
            ["user_id"] = device.UserId,
            ["access_token"] = device.AccessToken,
            ["device_id"] = device.DeviceId,
            ["home_server"] = identity.ServerName,
        });
    }
}
