using System.Text;
using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests.Damage;

/// <summary>Files damaged at rest: each is reported as <see cref="StorageFailure.Corrupt"/>, never loaded.</summary>
public sealed class DamagedFileTests : IDisposable
{
    private const int Keys = 400;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("text")]
    [InlineData("random")]
    [InlineData("empty-sqlite-header")]
    public void A_file_that_is_not_a_database_is_corrupt(string content)
    {
        var bytes = content switch
        {
            "text" => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("this is not a database\n", 400))),
            "random" => TestData.Payload(7, 16 * 1024),
            _ => [.. Encoding.ASCII.GetBytes("SQLite format 3\0"), .. TestData.Payload(8, 4096)],
        };
        File.WriteAllBytes(StoreFiles.DatabasePath(_directory.Path), bytes);

        var (_, failure) = StoreFiles.TryOpenAndRecover(_directory.Path);

        Assert.NotNull(failure);
        Assert.Equal(StorageFailure.Corrupt, failure.Failure);
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(0.5, 123)]
    [InlineData(0.9, 7)]
    public void A_truncated_file_is_corrupt(double keptFraction, int extraBytes)
    {
        WriteStore(_directory.Path);
        var path = StoreFiles.DatabasePath(_directory.Path);
        var length = new FileInfo(path).Length;
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(((long)(length * keptFraction)) + extraBytes);
        }

        var (_, failure) = StoreFiles.TryOpenAndRecover(_directory.Path);

        Assert.NotNull(failure);
        Assert.Equal(StorageFailure.Corrupt, failure.Failure);
    }

    [Fact]
    public void Bytes_overwritten_anywhere_in_the_file_are_reported_corrupt_or_change_nothing()
    {
        var pristine = _directory.CreateSubdirectory("pristine");
        var original = WriteStore(pristine);
        var bytes = File.ReadAllBytes(StoreFiles.DatabasePath(pristine));
        var random = new Random(20261124);
        var failures = new List<string>();
        var corrupt = 0;
        const int Trials = 40;

        for (var trial = 0; trial < Trials; trial++)
        {
            // Past the 100-byte file header, whose damage SQLite mostly ignores or repairs by design.
            var offset = random.Next(100, bytes.Length - 16);
            var damaged = (byte[])bytes.Clone();
            random.NextBytes(damaged.AsSpan(offset, 16));
            var directory = Path.Combine(_directory.Path, $"trial-{trial}");
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(StoreFiles.DatabasePath(directory), damaged);

            var (state, failure) = StoreFiles.TryOpenAndRecover(directory);
            if (failure is { Failure: StorageFailure.Corrupt })
            {
                corrupt++;
            }
            else if (failure is not null)
            {
                failures.Add($"offset {offset}: {failure.Failure} rather than Corrupt: {failure.Message}");
            }
            else
            {
                try
                {
                    StoreAssert.StateEqual(original, state!, $"offset {offset}: damage that goes unreported must have hit unused bytes");
                }
                catch (Xunit.Sdk.XunitException e)
                {
                    failures.Add(e.Message);
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));

        // Most of the file is live B-tree pages, so most trials must be caught; the rest hit free space.
        Assert.True(corrupt >= Trials / 2, $"only {corrupt} of {Trials} damaged files were reported corrupt");
    }

    [Fact]
    public void A_damaged_page_header_is_reported_by_the_integrity_check()
    {
        WriteStore(_directory.Path);
        var path = StoreFiles.DatabasePath(_directory.Path);
        var pageSize = Convert.ToInt32(RawDatabase.Scalar(path, "PRAGMA page_size"), System.Globalization.CultureInfo.InvariantCulture);
        using (var file = new FileStream(path, FileMode.Open))
        {
            // Page 2 is the log's root page; its first byte is the B-tree page type.
            file.Position = pageSize;
            file.WriteByte(0x42);
        }

        var (_, failure) = StoreFiles.TryOpenAndRecover(_directory.Path);

        Assert.NotNull(failure);
        Assert.Equal(StorageFailure.Corrupt, failure.Failure);
    }

    [Fact]
    public void A_flipped_bit_inside_a_stored_state_fails_its_checksum_and_the_error_names_the_key()
    {
        var needle = Encoding.ASCII.GetBytes("NEEDLE-0123456789-NEEDLE-0123456789-NEEDLE");
        using (var store = new SqliteDurableStore(_directory.Path, StoreFiles.Replica))
        {
            store.Checkpoint([TestData.State("before", 1), new ObjectCheckpoint("the-key", TestData.Type, needle), TestData.State("zafter", 1)], 0);
        }
        var path = StoreFiles.DatabasePath(_directory.Path);
        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at >= 0, "the state's bytes are stored verbatim in the file");
        bytes[at + 20] ^= 0x04;
        File.WriteAllBytes(path, bytes);

        var (_, failure) = StoreFiles.TryOpenAndRecover(_directory.Path);

        Assert.NotNull(failure);
        Assert.Equal(StorageFailure.Corrupt, failure.Failure);
        Assert.Contains("objects", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'the-key'", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE objects SET state = x'00' WHERE key = 'k42'", "table objects, key 'k42'")]
    [InlineData("UPDATE objects SET type = 'PNCounter' WHERE key = 'k7'", "table objects, key 'k7'")]
    [InlineData("UPDATE objects SET key = 'k99999' WHERE key = 'k3'", "table objects, key 'k99999'")]
    [InlineData("UPDATE log SET payload = x'0102' WHERE seq = 250", "table log, sequence 250")]
    [InlineData("UPDATE log SET key = 'other' WHERE seq = 260", "table log, sequence 260")]
    [InlineData("UPDATE log SET seq = 1000 WHERE seq = 299", "table log, sequence 1000")]
    [InlineData("UPDATE metadata SET value = x'00' WHERE name = 'replica-id'", "table metadata, name 'replica-id'")]
    [InlineData("UPDATE checkpoint SET covered_seq = 1", "table checkpoint, the checkpoint row")]
    public void A_row_whose_bytes_do_not_match_its_checksum_is_corrupt_and_named(string tampering, string named)
    {
        WriteStore(_directory.Path);
        RawDatabase.Execute(StoreFiles.DatabasePath(_directory.Path), tampering);

        var (_, failure) = StoreFiles.TryOpenAndRecover(_directory.Path);

        Assert.NotNull(failure);
        Assert.Equal(StorageFailure.Corrupt, failure.Failure);
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        Assert.Contains("CRC-32C", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>A closed store with checkpoints, a log and metadata, and its contents.</summary>
    private static RecoveredState WriteStore(string directory)
    {
        using var store = new SqliteDurableStore(directory, StoreFiles.Replica);
        store.Append(TestData.Batch(1, 300, payloadLength: 30));
        store.Checkpoint([.. Enumerable.Range(0, Keys).Select(i => TestData.State($"k{i}", 1, length: 60))], 200);
        store.SetMetadata("replica-id", [1, 2, 3, 4]);
        return store.Recover();
    }
}
