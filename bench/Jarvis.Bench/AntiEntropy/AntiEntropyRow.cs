namespace Jarvis.Bench.AntiEntropy;

/// <summary>One comparison of two replicas: its size, what crossed the wire, and the index it ran over.</summary>
/// <param name="FanOut">The trees' fan-out.</param>
/// <param name="Keys">Keys on replica A.</param>
/// <param name="Differing">Keys whose states differ or that one replica lacks.</param>
/// <param name="BytesExchanged">Encoded bytes of every message, both ways.</param>
/// <param name="Messages">Messages, both ways.</param>
/// <param name="RoundTrips">Messages there and back counted as one.</param>
/// <param name="LargestMessageBytes">The largest message.</param>
/// <param name="CompareMs">Wall time of the whole in-process comparison, encoding and decoding included.</param>
/// <param name="IndexBuildMs">Wall time to build replica A's index.</param>
/// <param name="IndexBytes">Managed heap taken by replica A's index.</param>
internal sealed record AntiEntropyRow(
    int FanOut,
    int Keys,
    int Differing,
    long BytesExchanged,
    int Messages,
    int RoundTrips,
    int LargestMessageBytes,
    double CompareMs,
    double IndexBuildMs,
    long IndexBytes);
