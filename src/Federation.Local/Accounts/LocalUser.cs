namespace Federation.Local.Accounts;

/// <summary>A local user as authenticated by an access token: who, from which device.</summary>
/// <param name="UserId">The full user id, <c>@localpart:our.server</c>.</param>
/// <param name="DeviceId">The device the token belongs to.</param>
/// <param name="IsAdmin">Whether the user was registered as a server admin.</param>
public sealed record LocalUser(string UserId, string DeviceId, bool IsAdmin);
