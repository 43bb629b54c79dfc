using Jarvis.Crdt;
using Jarvis.Replication.Engine;

namespace Jarvis.Replication.Tests.Engine;

/// <summary>A peer's read request for a key that is not durable waits, once, until the key is durable; at most <see cref="DeferredReadAnswers.Limit"/> wait.</summary>
public sealed class DeferredReadAnswersTests
{
    private static readonly ReplicaId A = new(1);
    private static readonly ReplicaId B = new(2);
    private readonly List<(ReplicaId To, long ReadId, string Key)> _answered = [];

    private void Answer(ReplicaId to, long readId, string key) => _answered.Add((to, readId, key));

    [Fact]
    public void A_request_is_answered_once_when_its_key_becomes_durable_and_not_before()
    {
        var answers = new DeferredReadAnswers();
        answers.Defer(A, 1, "k");
        answers.Defer(B, 7, "other");
        answers.Defer(A, 1, "k");
        Assert.Equal(2, answers.Count);

        answers.AnswerDurable(key => false, Answer);
        Assert.True(_answered.Count == 0, "nothing is answered while its key is not durable");
        answers.AnswerDurable(key => key == "k", Answer);
        Assert.Equal(new[] { (A, 1L, "k") }, _answered);
        answers.AnswerDurable(key => true, Answer);
        Assert.Equal(new[] { (A, 1L, "k"), (B, 7L, "other") }, _answered);
        Assert.Equal(0, answers.Count);
        answers.AnswerDurable(key => true, Answer);
        Assert.Equal(2, _answered.Count);
    }

    [Fact]
    public void A_departed_peers_requests_are_forgotten()
    {
        var answers = new DeferredReadAnswers();
        answers.Defer(A, 1, "k");
        answers.Defer(B, 2, "k");
        answers.Forget(A);
        answers.AnswerDurable(key => true, Answer);
        Assert.Equal(new[] { (B, 2L, "k") }, _answered);
    }

    [Fact]
    public void At_most_the_limit_waits_and_the_rest_are_dropped_for_the_reader_to_ask_again()
    {
        var answers = new DeferredReadAnswers();
        for (var i = 0; i < DeferredReadAnswers.Limit + 10; i++)
        {
            answers.Defer(A, i, "k");
        }
        Assert.Equal(DeferredReadAnswers.Limit, answers.Count);
        answers.AnswerDurable(key => true, Answer);
        Assert.Equal(Enumerable.Range(0, DeferredReadAnswers.Limit).Select(i => (long)i), _answered.Select(a => a.ReadId));
    }
}
