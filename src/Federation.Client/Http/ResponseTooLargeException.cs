namespace Federation.Client.Http;

/// <summary>A remote's response exceeded the configured limit; reading stops there.</summary>
public sealed class ResponseTooLargeException : Exception
{
    public ResponseTooLargeException()
    {
    }

    public ResponseTooLargeException(int limit)
        : base($"response larger than {limit} bytes")
    {
    }

    public ResponseTooLargeException(string message)
        : base(message)
    {
    }

    public ResponseTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
