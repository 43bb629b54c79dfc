namespace Jarvis.Cluster.Tests;

/// <summary><c>jarvis node run</c>'s command line: its help, its settings, and what it says about a bad configuration.</summary>
public sealed class NodeRunCommandLineTests
{
    [Fact]
    public async Task Help_shows_the_settings_argument_and_no_additional_arguments_section()
    {
        var run = await JarvisAsync("node", "run", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("jarvis node run [<--Jarvis:KEY=VALUE>...] [options]", run.Text, StringComparison.Ordinal);
        Assert.Contains("<--Jarvis:KEY=VALUE> Any node setting by its configuration key", run.Text, StringComparison.Ordinal);
        Assert.False(run.Text.Contains("Additional Arguments", StringComparison.Ordinal), "help names no arguments the command does not take:\n" + run.Output);
        Assert.False(run.Text.Contains("application that is being run", StringComparison.Ordinal), "help names no application run by node run:\n" + run.Output);
    }

    [Theory]
    [InlineData("--Jarvis:MaxBodyBytes=10")]
    [InlineData("--Jarvis:MaxBodyBytes", "10")]
    [InlineData("--jarvis:maxbodybytes=10")]
    public async Task A_setting_on_the_command_line_reaches_the_configuration(params string[] setting)
    {
        var run = await JarvisAsync(["node", "run", "--name", "n1", "--data", Path.GetTempPath(), "--insecure", .. setting]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Jarvis:MaxBodyBytes 10 is out of range", run.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--nmae", "n1")]
    [InlineData("stray")]
    public async Task A_token_that_is_neither_an_option_nor_a_setting_is_a_usage_error(params string[] tokens)
    {
        var run = await JarvisAsync(["node", "run", "--name", "n1", "--data", Path.GetTempPath(), "--insecure", .. tokens]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"'{tokens[0]}' is neither an option of 'jarvis node run' nor a setting (--Jarvis:KEY=VALUE).", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_setting_without_a_value_is_a_usage_error()
    {
        var run = await JarvisAsync("node", "run", "--name", "n1", "--data", Path.GetTempPath(), "--insecure", "--Jarvis:MaxBodyBytes");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("The setting '--Jarvis:MaxBodyBytes' has no value: write --Jarvis:MaxBodyBytes=VALUE.", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_without_certificates_is_told_the_jarvis_cert_commands_that_make_them()
    {
        var run = await JarvisAsync("node", "run", "--name", "n1", "--data", Path.GetTempPath());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("`jarvis cert init --dir DIR` and `jarvis cert issue NAME --dir DIR`", run.Text, StringComparison.Ordinal);
        Assert.False(run.Text.Contains("jarvis certs", StringComparison.Ordinal), "the error names only commands that exist:\n" + run.Error);
    }

    private static Task<CompletedProcess> JarvisAsync(params string[] arguments) =>
        CompletedProcess.RunAsync(JarvisProgram.Executable.StartInfo(arguments), TestCluster.Generous);
}
