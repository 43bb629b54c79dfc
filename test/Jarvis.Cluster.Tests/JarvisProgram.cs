using Jarvis.Cli.Internal;

namespace Jarvis.Cluster.Tests;

/// <summary>Locates the built <c>jarvis</c> program: the solution build copies it next to this test assembly.</summary>
internal static class JarvisProgram
{
    public static string DllPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "jarvis.dll");
            Assert.True(File.Exists(path) && File.Exists(Path.Combine(AppContext.BaseDirectory, "jarvis.runtimeconfig.json")), $"the built jarvis program is next to the tests ({path})");
            return path;
        }
    }

    public static JarvisExecutable Executable => JarvisExecutable.FromDll(DllPath);
}
