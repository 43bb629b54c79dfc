using Jarvis.Crdt;

namespace Jarvis.Bench.Trace;

/// <summary>The document a replay ends with, and whether every replica of a concurrent replay ended equal.</summary>
internal sealed record ReplayOutcome(FugueText Document, bool ReplicasAgree);
