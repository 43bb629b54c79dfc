using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Jarvis.Bench.Tests.Trace;

/// <summary>Trace files written by a test into a folder of its own, deleted with it.</summary>
public sealed class TraceFiles : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "jarvis-trace-tests-" + Guid.NewGuid().ToString("N"));

    public TraceFiles() => Directory.CreateDirectory(_directory);

    /// <summary>Writes <paramref name="json"/> as <c>name.json</c>, or gzipped as <c>name.json.gz</c>.</summary>
    public string Write(string name, string json, bool gzip = false)
    {
        var path = Path.Combine(_directory, name + (gzip ? ".json.gz" : ".json"));
        var bytes = Encoding.UTF8.GetBytes(json);
        if (gzip)
        {
            using var file = File.Create(path);
            using var compressed = new GZipStream(file, CompressionLevel.Fastest);
            compressed.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
        return path;
    }

    /// <summary>Writes a trace given as an object (serialized with System.Text.Json).</summary>
    public string Write(string name, object trace, bool gzip = false) => Write(name, JsonSerializer.Serialize(trace), gzip);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
