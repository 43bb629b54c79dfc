using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Jarvis.Crdt.Encoding;

/// <summary>
/// The codec used for values of type <typeparamref name="T"/>: built in for <see cref="string"/>,
/// <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="uint"/>, <see cref="ulong"/>,
/// <see cref="double"/>, <see cref="Guid"/> and <see cref="ReplicaId"/>; any other type needs
/// <see cref="Register"/> before a CRDT holding it is encoded or decoded.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public static class ValueCodec<T>
{
    private static IValueCodec<T>? _registered;

    /// <summary>The codec for <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException">No codec is built in or registered for the type.</exception>
    public static IValueCodec<T> Default
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _registered ?? Resolve();
    }

    /// <summary>Registers the codec for a type that has none built in. Register once, at start-up, on every replica.</summary>
    public static void Register(IValueCodec<T> codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        _registered = codec;
    }

    private static IValueCodec<T> Resolve()
    {
        object? codec = typeof(T) switch
        {
            var t when t == typeof(string) => BuiltInCodecs.String,
            var t when t == typeof(bool) => BuiltInCodecs.Boolean,
            var t when t == typeof(int) => BuiltInCodecs.Int32,
            var t when t == typeof(long) => BuiltInCodecs.Int64,
            var t when t == typeof(uint) => BuiltInCodecs.UInt32,
            var t when t == typeof(ulong) => BuiltInCodecs.UInt64,
            var t when t == typeof(double) => BuiltInCodecs.Double,
            var t when t == typeof(Guid) => BuiltInCodecs.Guid,
            var t when t == typeof(ReplicaId) => BuiltInCodecs.Replica,
            _ => null,
        };
        if (codec is null)
        {
            ThrowNoCodec();
        }
        _registered = (IValueCodec<T>)codec;
        return _registered;
    }

    [DoesNotReturn]
    private static void ThrowNoCodec() => throw new NotSupportedException(
        $"No value codec for {typeof(T)}: call ValueCodec<{typeof(T).Name}>.Register(...) at start-up.");
}
