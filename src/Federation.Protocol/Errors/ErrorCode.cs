namespace Federation.Protocol.Errors;

/// <summary>The Matrix <c>errcode</c> values this server answers with.</summary>
public static class ErrorCode
{
    public const string Forbidden = "M_FORBIDDEN";
    public const string Unauthorized = "M_UNAUTHORIZED";
    public const string UnknownToken = "M_UNKNOWN_TOKEN";
    public const string MissingToken = "M_MISSING_TOKEN";
    public const string BadJson = "M_BAD_JSON";
    public const string NotJson = "M_NOT_JSON";
    public const string NotFound = "M_NOT_FOUND";
    public const string LimitExceeded = "M_LIMIT_EXCEEDED";
    public const string Unrecognized = "M_UNRECOGNIZED";
    public const string Unknown = "M_UNKNOWN";
    public const string InvalidParam = "M_INVALID_PARAM";
    public const string MissingParam = "M_MISSING_PARAM";
    public const string TooLarge = "M_TOO_LARGE";
    public const string UnsupportedRoomVersion = "M_UNSUPPORTED_ROOM_VERSION";
    public const string IncompatibleRoomVersion = "M_INCOMPATIBLE_ROOM_VERSION";
}
