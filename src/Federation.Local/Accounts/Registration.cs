namespace Federation.Local.Accounts;

/// <summary>What a successful registration or login hands the client.</summary>
/// <param name="UserId">The new user's id.</param>
/// <param name="AccessToken">The token of the new device.</param>
/// <param name="DeviceId">The new device.</param>
public sealed record Registration(string UserId, string AccessToken, string DeviceId);
