using System.Runtime.CompilerServices;

// The trace loader and replays are internal to the harness; their tests live in Jarvis.Bench.Tests.
[assembly: InternalsVisibleTo("Jarvis.Bench.Tests")]
