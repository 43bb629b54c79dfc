namespace Jarvis.Bench;

/// <summary>One subcommand of the harness, selected by its <see cref="Name"/> as the first argument.</summary>
internal interface IBenchCommand
{
    /// <summary>The word that selects the command.</summary>
    string Name { get; }

    /// <summary>One line saying what the command measures.</summary>
    string Summary { get; }

    /// <summary>The command's options, e.g. <c>[--json] [--iterations N]</c>.</summary>
    string Usage { get; }

    /// <summary>Runs the command with the arguments after its name.</summary>
    /// <returns>The process exit code: 0 on success, 1 on a failed check, 2 on bad usage.</returns>
    int Run(string[] args);
}
