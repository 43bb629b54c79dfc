namespace Jarvis.Cluster.Tests;

/// <summary>
/// The environment that starts a child process under libfaketime with its wall clock shifted. The monotonic
/// clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC=1): timers and timeouts run true, only the time of day is
/// wrong, as on a machine whose clock is misset.
/// </summary>
internal static class FakeTime
{
    /// <summary>Where Debian's <c>faketime</c> package puts the library.</summary>
    public const string Library = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    /// <summary>The variables for a clock shifted by <paramref name="offset"/> (libfaketime's syntax: <c>+2h</c>, <c>+365d</c>).</summary>
    public static IReadOnlyDictionary<string, string> Shifted(string offset) => With("FAKETIME", offset);

    /// <summary>
    /// The variables for a clock shifted by whatever <paramref name="file"/> says (re-read every second), so a
    /// test can move a running node's clock: write <c>+0</c> first, <c>+2h</c> later.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FromFile(string file)
    {
        var variables = new Dictionary<string, string>(With("FAKETIME_TIMESTAMP_FILE", file), StringComparer.Ordinal) { ["FAKETIME_CACHE_DURATION"] = "1" };
        return variables;
    }

    private static Dictionary<string, string> With(string name, string value)
    {
        // Fail, never skip: a clock-skew test that silently does not run proves nothing.
        Assert.True(File.Exists(Library), $"libfaketime is missing ({Library}): run scripts/install-test-dependencies.sh (it installs the Debian package faketime); ./test.sh runs it first.");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["LD_PRELOAD"] = Library,
            [name] = value,
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
        };
    }
}
