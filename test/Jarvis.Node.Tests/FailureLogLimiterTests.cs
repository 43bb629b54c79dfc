using Jarvis.Node.Internal;

namespace Jarvis.Node.Tests;

/// <summary>A poison input that fails on every tick is logged once a minute per kind, with what was not logged counted, not 50 times a second.</summary>
public sealed class FailureLogLimiterTests
{
    [Fact]
    public void The_first_failure_of_a_kind_is_logged_then_one_per_interval_saying_how_many_were_not()
    {
        var time = new ManualTime();
        var limiter = new FailureLogLimiter(time);

        Assert.True(limiter.ShouldLog("tick|k|System.OverflowException", out var first) && first == 0, "the first failure of a kind is logged");
        var logged = 0;
        for (var i = 0; i < 50 * 59; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            logged += limiter.ShouldLog("tick|k|System.OverflowException", out _) ? 1 : 0;
        }
        Assert.True(logged == 0, "repeats within the interval are not logged");
        Assert.True(limiter.ShouldLog("tick|other|System.OverflowException", out _), "another kind (another key) is logged at once");

        time.Advance(FailureLogLimiter.Interval);
        Assert.True(limiter.ShouldLog("tick|k|System.OverflowException", out var suppressed), "after the interval the kind is logged again");
        Assert.Equal(50 * 59, suppressed);
    }
}
