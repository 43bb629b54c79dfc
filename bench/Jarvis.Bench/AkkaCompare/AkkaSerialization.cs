using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData.Serialization;

namespace Jarvis.Bench.AkkaCompare;

/// <summary>
/// Akka.DistributedData's real wire serializer, <see cref="ReplicatedDataSerializer"/>, which needs an
/// <see cref="ExtendedActorSystem"/>. Serializing replicated data needs no cluster, so this starts a plain
/// local actor system (no remoting, no cluster extension), on first use so that its background threads
/// do not run during the other workloads, and terminates it on dispose.
/// </summary>
internal sealed class AkkaSerialization : IDisposable
{
    private ActorSystem? _system;
    private ReplicatedDataSerializer? _serializer;

    public ReplicatedDataSerializer Serializer
    {
        get
        {
            if (_serializer is null)
            {
                var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
                _system = ActorSystem.Create("jarvis-bench", config);
                _serializer = new ReplicatedDataSerializer((ExtendedActorSystem)_system);
            }
            return _serializer;
        }
    }

    public void Dispose()
    {
        if (_system is not null)
        {
            _system.Terminate().GetAwaiter().GetResult();
            _system.Dispose();
        }
    }
}
