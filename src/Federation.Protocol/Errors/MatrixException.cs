namespace Federation.Protocol.Errors;

/// <summary>
/// A Matrix protocol error: carries the <c>errcode</c> and the HTTP status an endpoint answers with.
/// Per-PDU check results are values, not this exception; broken invariants are other exceptions.
/// </summary>
public sealed class MatrixException : Exception
{
    public MatrixException(string errorCode, string message, int statusCode = 400)
        : base(message)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
    }

    public MatrixException()
        : this(Errors.ErrorCode.Unknown, "Unknown error", 500)
    {
    }

    public MatrixException(string message)
        : this(Errors.ErrorCode.Unknown, message, 500)
    {
    }

    public MatrixException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = Errors.ErrorCode.Unknown;
        StatusCode = 500;
    }

    /// <summary>The Matrix <c>errcode</c>, for example <c>M_FORBIDDEN</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status the error is answered with.</summary>
    public int StatusCode { get; }
}
