using System.Text;
using Federation.Fuzz.Tests.Harness;

namespace Federation.Fuzz.Tests.Mutation;

/// <summary>
/// Mutates text that is not JSON (header values, server names): characters that delimit or quote, controls, non-ASCII,
/// unpaired surrogates, truncation, repetition and oversizing.
/// </summary>
public static class TextMutator
{
    private static readonly string[] Insertions =
    [
        "\"", "\\", ",", "=", " ", "\t", ":", ";", "[", "]", ".", "-", "\0", "\r\n", "\u0085", "é", "\u00a0", "\ud800", "\udc00",
        "😀", "%00", "X-Matrix ", "origin=", "key=\"", "sig=", ",,", "==", "\\\"", "1", "65536", "99999", "0", "::1", "[::1]",
    ];

    public static (string Text, string Mutations) Mutate(FuzzRandom random, string original, string donor)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(donor);
        var text = new StringBuilder(original);
        var applied = new List<string>();
        var count = 1 + (random.OneIn(3) ? random.Next(1, 3) : 0);
        for (var i = 0; i < count; i++)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(8))
            {
                case 0:
                    var insertion = random.Pick(Insertions);
                    text.Insert(at, insertion);
                    applied.Add($"insert '{FuzzRun.Printable(insertion)}' at {at}");
                    break;
                case 1:
                    var length = random.Next(Math.Min(8, text.Length - at) + 1);
                    text.Remove(at, length);
                    applied.Add($"delete {length} at {at}");
                    break;
                case 2:
                    text.Length = at;
                    applied.Add($"truncate to {at}");
                    break;
                case 3 when text.Length > 0:
                    var index = Math.Min(at, text.Length - 1);
                    text[index] = (char)(text[index] ^ (1 << random.Next(16)));
                    applied.Add($"flip a bit of char {index}");
                    break;
                case 4:
                    var from = random.Next(donor.Length + 1);
                    text.Length = at;
                    text.Append(donor, from, donor.Length - from);
                    applied.Add($"splice at {at} from donor {from}");
                    break;
                case 5:
                    var copyStart = random.Next(text.Length + 1);
                    var copy = text.ToString(copyStart, random.Next(Math.Min(40, text.Length - copyStart) + 1));
                    text.Insert(at, copy);
                    applied.Add($"copy '{FuzzRun.Printable(copy)}' to {at}");
                    break;
                case 6:
                    var repeated = new string(random.Pick(Insertions)[0], random.OneIn(4) ? 100_000 : random.Next(1, 300));
                    text.Insert(at, repeated);
                    applied.Add($"insert {repeated.Length} × '{FuzzRun.Printable(repeated[..1])}' at {at}");
                    break;
                default:
                    text.Insert(at, (char)random.Next(0x20));
                    applied.Add($"insert a control character at {at}");
                    break;
            }
        }

        return (text.ToString(), string.Join(", ", applied));
    }
}
