using System.Text.Json;

namespace Jarvis.Cli.Internal;

/// <summary>
/// Waits for a task or a plan to end by reading its view every 250 ms (the node has no event stream yet), reporting
/// each change of state as it is seen. Thread safety: one wait per call; nothing shared.
/// </summary>
internal static class TaskPolling
{
    /// <summary>How often the view is read.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>The states after which a task or a plan no longer changes.</summary>
    public static bool IsFinal(string? state) => state is "Succeeded" or "Failed" or "Cancelled" or "TimedOut";

    /// <summary>Reads <paramref name="read"/> until its <c>state</c> is final; calls <paramref name="changed"/> with every view whose state differs from the last one seen; returns the final view.</summary>
    /// <exception cref="JarvisClientException">A read failed (the node went away, or the id is unknown).</exception>
    public static async Task<JsonElement> UntilFinalAsync(Func<CancellationToken, Task<JsonElement>> read, Action<JsonElement>? changed, CancellationToken ct)
    {
        string? last = null;
        while (true)
        {
            var view = await read(ct).ConfigureAwait(false);
            var state = State(view);
            if (state != last)
            {
                last = state;
                changed?.Invoke(view);
            }
            if (IsFinal(state))
            {
                return view;
            }
            await Task.Delay(Interval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The view's <c>state</c>, or null without one.</summary>
    public static string? State(JsonElement view)
        => view.ValueKind == JsonValueKind.Object && view.TryGetProperty("state", out var s) ? s.GetString() : null;
}
