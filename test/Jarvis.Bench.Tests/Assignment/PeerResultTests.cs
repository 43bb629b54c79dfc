using Jarvis.Bench.Assignment;

namespace Jarvis.Bench.Tests.Assignment;

/// <summary>The lines the <c>assign</c> peers print (<c>bench/peers/scipy_assign.py</c>, <c>bench/peers/ortools</c>).</summary>
public sealed class PeerResultTests
{
    [Fact]
    public void A_scipy_line_gives_its_instance_cost_and_time()
    {
        Assert.Equal(new PeerResult("assign100", 305, 0.209), PeerResult.Parse("""{"instance": "assign100", "cost": 305, "ms": 0.209}"""));
    }

    [Fact]
    public void An_or_tools_line_gives_the_same_and_its_extra_fields_are_ignored()
    {
        Assert.Equal(new PeerResult("rand_s7_1000x1000", 1140, 65.832), PeerResult.Parse("""{"instance":"rand_s7_1000x1000","cost":1140,"ms":65.832,"arcsMs":64.069}"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Traceback (most recent call last):")]
    [InlineData("[1, 2, 3]")]
    [InlineData("""{"instance": "assign100", "cost": 305}""")]
    [InlineData("""{"instance": "assign100", "cost": 305, "ms": null}""")]
    [InlineData("""{"instance": "assign100", "cost": 305.5, "ms": 1.0}""")]
    [InlineData("""{"instance": 100, "cost": 305, "ms": 1.0}""")]
    public void A_line_that_is_not_a_whole_result_is_none(string line)
    {
        Assert.Null(PeerResult.Parse(line));
    }
}
