using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws.Specs;

/// <summary>
/// Edits of a sequence picked from a number. The number fixes what is inserted and where as a fraction of
/// the state it meets (index = choice mod (length + 1)), so every edit is in bounds whatever the history.
/// </summary>
internal static class SequenceEdits
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz";

    /// <summary>1 to 3 letters picked by the number.</summary>
    public static string Text(int choice)
    {
        var length = 1 + (choice / 7 % 3);
        return string.Create(length, choice, (span, c) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[(c / 3 + (i * 5)) % Alphabet.Length];
            }
        });
    }

    /// <summary>An insert position in a sequence of <paramref name="length"/> elements.</summary>
    public static int InsertAt(int choice, int length) => choice / 10 % (length + 1);

    /// <summary>A non-empty range inside a non-empty sequence: start, then 1 to 3 elements.</summary>
    public static (int Index, int Count) Range(int choice, int length)
    {
        var index = choice / 10 % length;
        return (index, 1 + (choice / 100 % Math.Min(3, length - index)));
    }

    public static FugueText Edit(FugueText text, ReplicaId self, int choice)
    {
        switch (choice % 10)
        {
            case < 6:
                return text.Insert(self, InsertAt(choice, text.Length), Text(choice));
            case < 8 when text.Length > 0:
                var (index, count) = Range(choice, text.Length);
                return text.Delete(self, index, count);
            case 8 when text.CanUndo:
                return text.Undo(self)!;
            case 9 when text.CanRedo:
                return text.Redo(self)!;
            default:
                return text.Insert(self, InsertAt(choice, text.Length), Text(choice));
        }
    }
}

/// <summary>FugueText under the law kit: inserts of short runs, range deletes, undo and redo.</summary>
public sealed class FugueTextLaws : CrdtLaws<FugueText>
{
    protected override CrdtSpec<FugueText> Spec { get; } = new FugueTextSpec();

    private sealed class FugueTextSpec : CrdtSpec<FugueText>
    {
        public override Op<FugueText> Operation(int choice) => new($"edit#{choice}", (t, ctx) => SequenceEdits.Edit(t, ctx.Self, choice));

        public override string Observe(FugueText state) => $"\"{state}\"";
    }
}

/// <summary>Four replicas: more concurrent runs meet at the same place than with three.</summary>
public sealed class FugueTextFourReplicaLaws : CrdtLaws<FugueText>
{
    protected override CrdtSpec<FugueText> Spec { get; } = new FourReplicaSpec();

    private sealed class FourReplicaSpec : CrdtSpec<FugueText>
    {
        public override int ReplicaCount => 4;

        public override Op<FugueText> Operation(int choice) => new($"edit#{choice}", (t, ctx) => SequenceEdits.Edit(t, ctx.Self, choice));

        public override string Observe(FugueText state) => $"\"{state}\"";
    }
}

public sealed class FugueListLaws : CrdtLaws<FugueList<int>>
{
    protected override CrdtSpec<FugueList<int>> Spec { get; } = new FugueListSpec();

    private sealed class FugueListSpec : CrdtSpec<FugueList<int>>
    {
        public override Op<FugueList<int>> Operation(int choice) => new($"edit#{choice}", (list, ctx) =>
        {
            switch (choice % 10)
            {
                case < 3:
                    return list.Insert(ctx.Self, SequenceEdits.InsertAt(choice, list.Count), choice % 1000);
                case < 6:
                    var items = Enumerable.Range(choice % 1000, 1 + (choice / 7 % 3)).ToArray();
                    return list.Insert(ctx.Self, SequenceEdits.InsertAt(choice, list.Count), items);
                case < 9 when list.Count > 0:
                    var (index, count) = SequenceEdits.Range(choice, list.Count);
                    return list.Delete(ctx.Self, index, count);
                case 9 when list.CanUndo:
                    return list.Undo(ctx.Self)!;
                default:
                    return list.Insert(ctx.Self, SequenceEdits.InsertAt(choice, list.Count), -choice);
            }
        });

        public override string Observe(FugueList<int> state) => $"[{string.Join(",", state.ToArray())}]";
    }
}

/// <summary>Texts nested as map values: edits go through <see cref="ORMap{TKey, TValue}.Update"/>, keys are removed whole.</summary>
public sealed class FugueTextMapLaws : CrdtLaws<ORMap<string, FugueText>>
{
    protected override CrdtSpec<ORMap<string, FugueText>> Spec { get; } = new TextMapSpec();

    private sealed class TextMapSpec : CrdtSpec<ORMap<string, FugueText>>
    {
        public override Op<ORMap<string, FugueText>> Operation(int choice)
        {
            var key = $"doc{choice % 3}";
            var edit = choice / 3;
            return (edit % 10) switch
            {
                9 => new($"remove({key})", (m, _) => m.Remove(key)),
                < 6 => new($"{key}.insert#{edit}", (m, ctx) => m.Update(key, t => t.Insert(ctx.Self, SequenceEdits.InsertAt(edit, t.Length), SequenceEdits.Text(edit)))),
                _ => new($"{key}.delete#{edit}", (m, ctx) => m.Update(key, t =>
                {
                    if (t.Length == 0)
                    {
                        return t.Insert(ctx.Self, 0, SequenceEdits.Text(edit));
                    }
                    var (index, count) = SequenceEdits.Range(edit, t.Length);
                    return t.Delete(ctx.Self, index, count);
                })),
            };
        }

        public override string Observe(ORMap<string, FugueText> state)
            => string.Join(";", state.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}=\"{e.Value}\""));
    }
}
