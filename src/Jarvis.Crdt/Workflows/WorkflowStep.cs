namespace Jarvis.Crdt;

/// <summary>One step of a <see cref="WorkflowPlanDefinition"/>: its name and the steps that must be Done before it starts.</summary>
public sealed record WorkflowStep
{
    /// <summary>Creates a step.</summary>
    public WorkflowStep(string name, params IReadOnlyList<string> dependsOn)
    {
        ArgumentNullException.ThrowIfNull(dependsOn);
        Name = name;
        DependsOn = dependsOn;
    }

    /// <summary>The step's name, unique in its plan.</summary>
    public string Name { get; }

    /// <summary>The steps that must be Done before this one may start.</summary>
    public IReadOnlyList<string> DependsOn { get; }
}
