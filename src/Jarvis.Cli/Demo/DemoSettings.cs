using Jarvis.FaultProxy;

namespace Jarvis.Cli.Demo;

/// <summary>The knobs of <c>jarvis demo</c>.</summary>
internal sealed record DemoSettings(string Directory, int WritesPerNode, FaultMode Fault, bool Insecure);
