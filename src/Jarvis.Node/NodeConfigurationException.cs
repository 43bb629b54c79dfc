namespace Jarvis.Node;

/// <summary>The node cannot start with its configuration; <see cref="Problems"/> lists every reason.</summary>
public sealed class NodeConfigurationException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public NodeConfigurationException()
        : this("The node configuration is invalid.")
    {
    }

    /// <summary>Creates the exception with one problem.</summary>
    public NodeConfigurationException(string message)
        : base(message)
        => Problems = [message];

    /// <summary>Creates the exception with one problem and its cause.</summary>
    public NodeConfigurationException(string message, Exception innerException)
        : base(message, innerException)
        => Problems = [message];

    /// <summary>Creates the exception listing every problem, one per line of the message.</summary>
    public NodeConfigurationException(IReadOnlyList<string> problems)
        : base(Describe(problems))
        => Problems = problems;

    /// <summary>Every problem found, as sentences.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return "The node configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
    }
}
