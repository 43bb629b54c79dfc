using Jarvis.Replication.Storage.Tests.Crash;

namespace Jarvis.Replication.Storage.Tests;

/// <summary>
/// The test assembly's entry point, used only when a crash test starts this assembly as a child process
/// (<c>dotnet Jarvis.Replication.Storage.Tests.dll crash-child ...</c>); test runners load the assembly as a library.
/// </summary>
internal static class Program
{
    public static int Main(string[] args) => args switch
    {
        [CrashChild.Command, var directory] => CrashChild.Run(directory),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine($"usage: {CrashChild.Command} <data directory>  (a child process of the crash tests)");
        return 2;
    }
}
