using Jarvis.Bench.Measurement;

namespace Jarvis.Bench.AkkaCompare;

/// <summary>One workload run on Jarvis and on Akka.DistributedData with the same inputs.</summary>
internal interface IComparisonWorkload
{
    /// <summary>The name in tables and JSON, e.g. <c>orset-add-20k</c>.</summary>
    string Name { get; }

    /// <summary>One line saying what is measured.</summary>
    string Description { get; }

    /// <summary>Measures both libraries, then checks that they agree on the observable result.</summary>
    /// <exception cref="ComparisonMismatchException">The libraries, or a library and the expected result, disagree.</exception>
    ComparisonResult Run(MeasurementPlan plan);
}
