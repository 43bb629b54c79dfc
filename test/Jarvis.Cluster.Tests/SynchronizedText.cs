using System.Text;

namespace Jarvis.Cluster.Tests;

/// <summary>Lines collected from a child's output events, which arrive on thread-pool threads.</summary>
internal sealed class SynchronizedText
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _text.AppendLine(line);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }
}
