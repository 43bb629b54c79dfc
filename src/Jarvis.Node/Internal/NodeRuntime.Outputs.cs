using Jarvis.Replication;
using Jarvis.Replication.Protocol;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

internal sealed partial class NodeRuntime
{
    private void LoopPerformOutputs()
    {
        while (_core.PendingOutputs > 0)
        {
            foreach (var output in _core.TakeOutputs())
            {
                LoopPerform(output);
            }
        }
    }

    private void LoopPerform(ReplicaOutput output)
    {
        switch (output)
        {
            case SendMessage send:
                Transport.Send(send.To, MessageCodec.Encode(send.Message));
                break;
            case PersistLog or PersistCheckpoint:
                _storage!.Enqueue(output, _storageEpoch);
                break;
            case WriteCompleted completed:
                LoopWriteCompleted(completed);
                break;
            case ReadCompleted completed:
                LoopReadCompleted(completed);
                break;
            case ObjectChanged changed:
                LoopNotifyWatchers(changed);
                break;
            case MembershipChanged changed:
                Transport.MemberChanged(changed.Member);
                LogMemberChanged(changed.Member.Address, changed.Member.Id, changed.Member.Status, changed.Member.Incarnation);
                break;
            case ClockDriftRefused refused:
                LoopClockRefused(refused);
                break;
            case ProtocolError error:
                Metrics.ProtocolError();
                LogProtocolError(Transport.Directory.NameOf(error.From) ?? error.From.ToString(), error.Reason);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {Address} ({ReplicaId}) is {Status} at incarnation {Incarnation}")]
    private partial void LogMemberChanged(string address, Jarvis.Crdt.ReplicaId replicaId, Jarvis.Replication.Membership.MemberStatus status, ulong incarnation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} sent a message this replica could not use: {Reason}")]
    private partial void LogProtocolError(string peer, string reason);
}
