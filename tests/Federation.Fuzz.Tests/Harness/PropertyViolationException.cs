using System.Diagnostics.CodeAnalysis;

namespace Federation.Fuzz.Tests.Harness;

/// <summary>Thrown by a property that found a wrong result (as opposed to a parser throwing something it must not).</summary>
public sealed class PropertyViolationException : Exception
{
    public PropertyViolationException()
    {
    }

    public PropertyViolationException(string message)
        : base(message)
    {
    }

    public PropertyViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Fails the input with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void Unless([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw new PropertyViolationException(message);
        }
    }
}
