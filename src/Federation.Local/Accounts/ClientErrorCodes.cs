namespace Federation.Local.Accounts;

/// <summary>Client-Server API error codes not in <c>Federation.Protocol.Errors.ErrorCode</c>.</summary>
public static class ClientErrorCodes
{
    public const string UserInUse = "M_USER_IN_USE";
    public const string InvalidUsername = "M_INVALID_USERNAME";
}
