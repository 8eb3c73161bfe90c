using System.Text;
using Federation.Fuzz.Tests.Harness;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>Random well-formed Unicode text, mixing ASCII with the characters encoders get wrong.</summary>
public static class RandomText
{
    private static readonly string[] Pieces =
    [
        "a", "b", "z", "A", "0", "9", " ", "_", "-", ".", ":", "@", "!", "$", "#", "\"", "\\", "/", "<", ">", "&", "'", "+",
        "\0", "\u0001", "\b", "\t", "\n", "\f", "\r", "\u001f", "\u007f", "\u0080", "é", "ß", "\u2028", "\u2029", "日", "本",
        "\ufb01", "\ufeff", "\uffff", "😀", "\U0010FFFF", "\U0001F600\u200D",
    ];

    /// <summary>A string of up to <paramref name="maxPieces"/> pieces, each one character or one surrogate pair.</summary>
    public static string Next(FuzzRandom random, int maxPieces)
    {
        ArgumentNullException.ThrowIfNull(random);
        var text = new StringBuilder();
        var count = random.Next(maxPieces + 1);
        for (var i = 0; i < count; i++)
        {
            text.Append(random.OneIn(3) ? random.Pick(Pieces) : (char)('a' + random.Next(26)));
        }

        return text.ToString();
    }

    /// <summary>A short identifier of ASCII letters and digits.</summary>
    public static string Identifier(FuzzRandom random, int minLength = 1, int maxLength = 12)
    {
        ArgumentNullException.ThrowIfNull(random);
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        var length = random.Next(minLength, maxLength + 1);
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return text.ToString();
    }
}
