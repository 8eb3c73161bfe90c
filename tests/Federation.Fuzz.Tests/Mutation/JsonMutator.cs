using System.Globalization;
using Federation.Fuzz.Tests.Harness;

namespace Federation.Fuzz.Tests.Mutation;

/// <summary>
/// Mutates JSON text the ways a broken or hostile server would: blind byte damage (flips, truncation, splicing) and
/// aimed damage (a value swapped for a <see cref="HostileValues"/> one, a key duplicated, bad UTF-8 or a lone surrogate
/// inside a string). Some mutations are no-ops to a JSON reader (an escaped key character, added whitespace); the
/// properties must then treat the input as the original.
/// </summary>
public static class JsonMutator
{
    private delegate string Mutation(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor);

    private static readonly Mutation[] Mutations =
    [
        FlipBit, ReplaceByte, Truncate, DeleteRange, DuplicateRange, Splice, ReplaceValue, ReplaceValue, ReplaceValue,
        DuplicateKey, DuplicateKey, InsertIntoString, InsertIntoString, EscapeCharacter, InsertWhitespace, WrapDeeply,
    ];

    /// <summary>
    /// One to three mutations of <paramref name="original"/>; <paramref name="donor"/> is other input to splice from.
    /// Returns the mutated text and the names of the mutations, for the failure report.
    /// </summary>
    public static (byte[] Text, string Mutations) Mutate(FuzzRandom random, ReadOnlySpan<byte> original, ReadOnlySpan<byte> donor)
    {
        ArgumentNullException.ThrowIfNull(random);
        var text = new List<byte>(original.Length + 64);
        text.AddRange(original);
        var applied = new List<string>();
        var count = 1 + (random.OneIn(3) ? random.Next(1, 3) : 0);
        for (var i = 0; i < count; i++)
        {
            applied.Add(Mutations[random.Next(Mutations.Length)](random, text, donor));
        }

        return ([.. text], string.Join(", ", applied));
    }

    private static string FlipBit(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        if (text.Count == 0)
        {
            return "flip (empty)";
        }

        var at = random.Next(text.Count);
        var bit = random.Next(8);
        text[at] ^= (byte)(1 << bit);
        return Invariant($"flip bit {bit} at {at}");
    }

    private static string ReplaceByte(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        if (text.Count == 0)
        {
            return "replace (empty)";
        }

        var at = random.Next(text.Count);
        text[at] = random.Pick(HostileValues.Bytes);
        return Invariant($"byte 0x{text[at]:x2} at {at}");
    }

    private static string Truncate(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var length = random.Next(text.Count + 1);
        text.RemoveRange(length, text.Count - length);
        return Invariant($"truncate to {length}");
    }

    private static string DeleteRange(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var start = random.Next(text.Count + 1);
        var length = random.Next(Math.Min(text.Count - start, 64) + 1);
        text.RemoveRange(start, length);
        return Invariant($"delete {length} at {start}");
    }

    private static string DuplicateRange(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var start = random.Next(text.Count + 1);
        var length = random.Next(Math.Min(text.Count - start, 256) + 1);
        var at = random.Next(text.Count + 1);
        text.InsertRange(at, text.GetRange(start, length));
        return Invariant($"copy {length} from {start} to {at}");
    }

    private static string Splice(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var keep = random.Next(text.Count + 1);
        var from = random.Next(donor.Length + 1);
        text.RemoveRange(keep, text.Count - keep);
        text.AddRange(donor[from..]);
        return Invariant($"splice at {keep} from donor {from}");
    }

    private static string ReplaceValue(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var values = JsonTokenScanner.Scan(text.ToArray()).Where(t => t.Kind != JsonTokenKind.Key && t.Kind != JsonTokenKind.Open).ToList();
        if (values.Count == 0)
        {
            return "replace value (none)";
        }

        var token = random.Pick(values);
        var replacement = random.Pick(HostileValues.Values);
        text.RemoveRange(token.Start, token.Length);
        text.InsertRange(token.Start, replacement);
        return Invariant($"value at {token.Start} := {Describe(replacement)}");
    }

    private static string DuplicateKey(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var keys = JsonTokenScanner.Scan(text.ToArray()).Where(t => t.Kind == JsonTokenKind.Key).ToList();
        if (keys.Count == 0)
        {
            return "duplicate key (none)";
        }

        // The copy goes before the original member, so a reader that keeps the last of equal keys still sees the
        // original value; a reader that keeps the first, or hashes both, sees something else.
        var key = random.Pick(keys);
        var value = random.OneIn(2) ? "null"u8.ToArray() : random.Pick(HostileValues.Values);
        byte[] member = [.. text.GetRange(key.Start, key.Length), (byte)':', .. value, (byte)','];
        text.InsertRange(key.Start, member);
        return Invariant($"duplicate key at {key.Start} := {Describe(value)}");
    }

    private static string InsertIntoString(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var strings = JsonTokenScanner.Scan(text.ToArray()).Where(t => t.Kind is JsonTokenKind.Key or JsonTokenKind.StringValue && t.Length >= 2).ToList();
        if (strings.Count == 0)
        {
            return "insert into string (none)";
        }

        var token = random.Pick(strings);
        var at = token.Start + 1 + random.Next(token.Length - 1);
        var fragment = random.Pick(HostileValues.StringFragments);
        text.InsertRange(at, fragment);
        return Invariant($"insert {Describe(fragment)} at {at}");
    }

    /// <summary>Writes one plain character of a key or string as a <c>\u</c> escape: the same JSON, other bytes.</summary>
    private static string EscapeCharacter(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var strings = JsonTokenScanner.Scan(text.ToArray()).Where(t => t.Kind is JsonTokenKind.Key or JsonTokenKind.StringValue && t.Length > 2).ToList();
        if (strings.Count == 0)
        {
            return "escape (none)";
        }

        var token = random.Pick(strings);
        var at = token.Start + 1 + random.Next(token.Length - 2);
        if (text[at] is < 0x20 or >= 0x7F or (byte)'\\' or (byte)'"' || (at > 0 && text[at - 1] == (byte)'\\'))
        {
            return "escape (skipped)";
        }

        var escape = string.Format(CultureInfo.InvariantCulture, random.NextBool() ? "\\u{0:x4}" : "\\u{0:X4}", text[at]);
        text.RemoveAt(at);
        text.InsertRange(at, escape.Select(c => (byte)c));
        return Invariant($"escape at {at} as {escape}");
    }

    private static string InsertWhitespace(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var tokens = JsonTokenScanner.Scan(text.ToArray());
        var at = tokens.Count == 0 ? 0 : random.Pick(tokens).Start;
        text.InsertRange(at, random.Pick(new[] { " "u8.ToArray(), "\n\t"u8.ToArray(), "\r\n "u8.ToArray() }));
        return Invariant($"whitespace at {at}");
    }

    private static string WrapDeeply(FuzzRandom random, List<byte> text, ReadOnlySpan<byte> donor)
    {
        var depth = random.OneIn(2) ? HostileValues.DeepNesting : random.Next(60, 70);
        var open = random.NextBool() ? "["u8.ToArray() : "{\"a\":"u8.ToArray();
        var close = open[0] == (byte)'[' ? (byte)']' : (byte)'}';
        text.InsertRange(0, Enumerable.Repeat(open, depth).SelectMany(b => b));
        text.AddRange(Enumerable.Repeat(close, random.OneIn(4) ? depth / 2 : depth));
        return Invariant($"wrapped {depth} deep in {(char)open[0]}");
    }

    private static string Describe(byte[] value) =>
        value.Length <= 40 ? FuzzRun.Printable(value) : Invariant($"{FuzzRun.Printable(value.AsSpan(0, 24))}…({value.Length} bytes)");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
