using Federation.Local.Accounts;
using Microsoft.AspNetCore.Http;

namespace Federation.Api.Client;

/// <summary>The local user a request's access token named; only available behind <see cref="AccessTokenFilter"/>.</summary>
public static class ClientUser
{
    public static LocalUser Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<LocalUser>()
            ?? throw new InvalidOperationException("The endpoint is not behind access-token authentication");
    }
}
