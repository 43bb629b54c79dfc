namespace Jarvis.Bench.Tests.Trace;

/// <summary>Small handcrafted traces in the editing-traces JSON shape.</summary>
internal static class Traces
{
    /// <summary>Types "hello world", fixes it to "Hello, world!" with deletes and multi-character patches.</summary>
    public static object Sequential(string endContent = "Hello, world!") => new
    {
        startContent = "",
        endContent,
        txns = new object[]
        {
            new { time = "2021-04-19T06:06:58.219Z", patches = new object[] { new object[] { 0, 0, "h" } } },
            new { patches = new object[] { new object[] { 1, 0, "ello" }, new object[] { 5, 0, " world" } } },
            new { patches = new object[] { new object[] { 0, 1, "H" } } },
            new { patches = new object[] { new object[] { 5, 0, "," } } },
            new { patches = new object[] { new object[] { 12, 0, "!!" }, new object[] { 13, 1, "" } } },
        },
    };

    public static object ConcurrentTxn(int[] parents, int agent, params object[][] patches) =>
        new { parents, numChildren = 0, agent, patches };

    public static object Concurrent(string endContent, int numAgents, params object[] txns) =>
        new { kind = "concurrent", endContent, numAgents, txns };

    /// <summary>Agents 0 and 1 type "abc" and "xyz" at position 0 concurrently; then agent 0, having both,
    /// appends "!".</summary>
    public static object ConcurrentTyping(string endContent) => Concurrent(
        endContent,
        2,
        ConcurrentTxn([], 0, [0, 0, "a"], [1, 0, "bc"]),
        ConcurrentTxn([], 1, [0, 0, "xyz"]),
        ConcurrentTxn([0, 1], 0, [6, 0, "!"]));
}
