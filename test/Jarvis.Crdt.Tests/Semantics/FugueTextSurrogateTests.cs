using System.Text;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>Characters outside the Basic Multilingual Plane (two UTF-16 code units each) stay whole under every edit.</summary>
public sealed class FugueTextSurrogateTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private const string Emoji = "\U0001F600";

    [Fact]
    public void Inserting_inside_a_surrogate_pair_is_refused_and_the_character_survives()
    {
        var text = new FugueText();
        text.Insert(A, 0, $"a{Emoji}b");
        var before = Wire.Hex(text);

        var refused = Assert.Throws<SurrogatePairSplitException>(() => text.Insert(A, 2, "x"));

        Rule.Equal($"a{Emoji}b", text.ToString(), "the emoji is not split: the text is unchanged");
        Rule.Equal(before, Wire.Hex(text), "a refused insert changes nothing");
        Assert.IsAssignableFrom<ArgumentOutOfRangeException>(refused);
        Assert.Contains("split a character", refused.Message, StringComparison.Ordinal);
        Rule.Equal(2, refused.Position, "the exception names the position inside the character");
        Assert.Throws<SurrogatePairSplitException>(() => text.Insert(A, 2, string.Empty));
        Assert.Throws<SurrogatePairSplitException>(() => text.Splice(A, 2, 0, "x"));

        var received = Wire.Ship(text);
        var joined = new FugueText();
        joined.Join(received.Clone());
        foreach (var (replica, how) in new[] { (received, "decoded"), (joined, "joined"), (received.Clone(), "cloned") })
        {
            Assert.Throws<SurrogatePairSplitException>(() => replica.Insert(B, 2, "x"));
            Rule.Equal($"a{Emoji}b", replica.ToString(), $"a text {how} from elsewhere refuses the split too");
        }

        text.Insert(A, 1, "<");
        text.Insert(A, 4, ">");
        Rule.Equal($"a<{Emoji}>b", text.ToString(), "the positions around the character take inserts");
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(0, 2)]
    [InlineData(2, 0)]
    public void A_delete_that_starts_or_ends_inside_a_surrogate_pair_is_refused(int index, int length)
    {
        var text = new FugueText();
        text.Insert(A, 0, $"a{Emoji}{Emoji}b");
        var before = Wire.Hex(text);

        Assert.Throws<SurrogatePairSplitException>(() => text.Delete(A, index, length));
        Assert.Throws<SurrogatePairSplitException>(() => text.Splice(A, index, length, "x"));

        Rule.Equal(before, Wire.Hex(text), "a refused delete or splice changes nothing");
        Assert.False(text.Undo(A) is null, "the refused edits left no undo step: the insert is still the one to undo");
        Rule.Equal(string.Empty, text.ToString(), "undo takes back the insert");
    }

    [Fact]
    public void Deleting_and_splicing_whole_characters_is_allowed()
    {
        var text = new FugueText();
        text.Insert(A, 0, $"a{Emoji}{Emoji}b");

        text.Delete(A, 1, 2);
        Rule.Equal($"a{Emoji}b", text.ToString(), "a delete of one whole character");
        text.Splice(A, 1, 2, Emoji + Emoji);
        Rule.Equal($"a{Emoji}{Emoji}b", text.ToString(), "a splice replacing a whole character");
    }

    // By number: xunit would replace a lone surrogate in theory data with U+FFFD.
    private static readonly string[] LoneSurrogates = ["\uD83D", "\uDE00", "x\uDE00\uD83Dy", "\uD83D\uD83D\uDE00", "ab\uD83D"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Inserting_a_lone_surrogate_is_refused(int example)
    {
        var inserted = LoneSurrogates[example];
        var text = new FugueText();
        text.Insert(A, 0, "ab");
        var before = Wire.Hex(text);

        Assert.Throws<ArgumentException>(() => text.Insert(A, 1, inserted));
        Assert.Throws<ArgumentException>(() => text.Splice(A, 1, 0, inserted));

        Rule.Equal(before, Wire.Hex(text), "text that is not well-formed UTF-16 is refused whole");
    }

    [Fact]
    public void Undoing_and_redoing_edits_around_characters_keeps_them_whole()
    {
        var text = new FugueText();
        text.Insert(A, 0, $"{Emoji}x{Emoji}");
        text.Delete(A, 0, 3);
        text.Insert(A, 0, Emoji);
        text.Undo(A);
        text.Undo(A);
        Rule.Equal($"{Emoji}x{Emoji}", text.ToString(), "an undone delete restores the characters whole");
        text.Redo(A);
        Rule.Equal(Emoji, text.ToString(), "a redone delete removes them whole");
        text.Undo(A);
        text.Undo(A);
        Rule.Equal(string.Empty, text.ToString(), "the first insert undone, with what the undone delete restored");
    }

    /// <summary>
    /// Three replicas type text mixing ASCII, two-unit characters and combining marks at random positions (a third of
    /// them inside a character), delete and splice random ranges, undo and redo, and exchange deltas and states in random
    /// orders. After every step each replica's text is well-formed UTF-16 and a refused edit changed nothing.
    /// </summary>
    [Theory]
    [InlineData(20_261_207)]
    [InlineData(12)]
    public void Random_edits_undos_and_joins_never_leave_a_lone_surrogate(int seed)
    {
        var random = new Random(seed);
        ReplicaId[] ids = [A, B, C];
        var replicas = ids.Select(_ => new FugueText()).ToArray();
        var sent = new List<FugueText>();
        var log = new StringBuilder();
        var refusals = 0;
        for (var step = 0; step < 600; step++)
        {
            var r = random.Next(replicas.Length);
            var text = replicas[r];
            var before = Wire.Hex(text);
            try
            {
                var delta = Edit(text, ids[r], random, log);
                if (delta is not null)
                {
                    sent.Add(delta);
                }
            }
            catch (SurrogatePairSplitException)
            {
                refusals++;
                Rule.Equal(before, Wire.Hex(text), $"a refused edit changes nothing (seed {seed}, step {step}: {log})");
            }
            if (random.Next(4) == 0 && sent.Count > 0)
            {
                var from = random.Next(sent.Count);
                replicas[random.Next(replicas.Length)].Join(Wire.Ship(sent[from]));
                log.Append($"deliver #{from}; ");
            }
            foreach (var replica in replicas)
            {
                Assert.True(IsWellFormed(replica.ToString()), $"every replica's text stays well-formed UTF-16 (seed {seed}, step {step}): \"{replica}\"; {log}");
            }
        }
        foreach (var replica in replicas)
        {
            foreach (var other in replicas)
            {
                replica.Join(other);
            }
            foreach (var delta in sent)
            {
                replica.Join(delta);
            }
        }
        Assert.True(refusals > 20, $"the history tried to split characters ({refusals} times)");
        Rule.Converged("replicas that heard everything agree", replicas);
        Assert.True(IsWellFormed(replicas[0].ToString()), "the converged text is well-formed UTF-16");
    }

    private static FugueText? Edit(FugueText text, ReplicaId replica, Random random, StringBuilder log)
    {
        var kind = random.Next(10);
        if (kind < 4 || text.Length == 0)
        {
            var index = random.Next(text.Length + 1);
            var inserted = RandomText(random);
            log.Append($"{replica.Value}.insert({index}, {inserted.Length}); ");
            return text.Insert(replica, index, inserted);
        }
        var at = random.Next(text.Length);
        var count = 1 + random.Next(Math.Min(4, text.Length - at));
        switch (kind)
        {
            case < 6:
                log.Append($"{replica.Value}.delete({at}, {count}); ");
                return text.Delete(replica, at, count);
            case < 8:
                log.Append($"{replica.Value}.splice({at}, {count}); ");
                text.Splice(replica, at, count, RandomText(random));
                return text.Clone();
            case 8:
                log.Append($"{replica.Value}.undo; ");
                return text.Undo(replica);
            default:
                log.Append($"{replica.Value}.redo; ");
                return text.Redo(replica);
        }
    }

    private static string RandomText(Random random)
    {
        var builder = new StringBuilder();
        for (var n = 1 + random.Next(3); n > 0; n--)
        {
            builder.Append(random.Next(4) switch
            {
                0 => Emoji,
                1 => "\U0001D11E",
                2 => "e\u0301",
                _ => ((char)('a' + random.Next(26))).ToString(),
            });
        }
        return builder.ToString();
    }

    /// <summary>True if <paramref name="text"/> is well-formed UTF-16: a strict UTF-8 encoder takes it whole.</summary>
    private static bool IsWellFormed(string text)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
