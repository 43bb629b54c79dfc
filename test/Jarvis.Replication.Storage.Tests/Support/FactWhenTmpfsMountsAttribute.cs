namespace Jarvis.Replication.Storage.Tests.Support;

/// <summary>A fact that needs a tmpfs mount; skipped, saying why, where mounting one fails (not root, not Linux).</summary>
public sealed class FactWhenTmpfsMountsAttribute : FactAttribute
{
    public FactWhenTmpfsMountsAttribute()
    {
        if (TmpfsMount.UnavailableReason is { } reason)
        {
            Skip = $"Needs a small tmpfs to fill (mount -t tmpfs, as root on Linux), and mounting one failed: {reason}";
        }
    }
}
