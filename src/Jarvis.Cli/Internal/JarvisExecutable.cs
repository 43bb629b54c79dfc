using System.Diagnostics;

namespace Jarvis.Cli.Internal;

/// <summary>
/// How to start the <c>jarvis</c> program as a child process: the apphost itself, or <c>dotnet jarvis.dll</c>
/// when the current process runs under the shared host (or when a test points at the built dll).
/// </summary>
internal sealed class JarvisExecutable
{
    private readonly string _fileName;
    private readonly string[] _prefix;

    private JarvisExecutable(string fileName, string[] prefix)
    {
        _fileName = fileName;
        _prefix = prefix;
    }

    /// <summary>The program this process is running.</summary>
    public static JarvisExecutable Current()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of the running program is unknown.");
        if (string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var dll = typeof(JarvisExecutable).Assembly.Location;
            return new JarvisExecutable(processPath, [dll]);
        }
        return new JarvisExecutable(processPath, []);
    }

    /// <summary>The built <c>jarvis.dll</c> at <paramref name="dllPath"/>, run with the <c>dotnet</c> host.</summary>
    public static JarvisExecutable FromDll(string dllPath)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
        {
            dotnet = "dotnet";
        }
        return new JarvisExecutable(dotnet, [dllPath]);
    }

    /// <summary>A start description for <c>jarvis ARGS</c> with every standard stream redirected.</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(_fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in _prefix.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }
}
