using Jarvis.Replication;
using Jarvis.Replication.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

// Performing the core's outputs, one by one, each guarded: one that throws is logged, counted and answered,
// and the ones after it are still performed.
internal sealed partial class NodeRuntime
{
    private void LoopPerformOutputs()
    {
        while (_core.PendingOutputs > 0)
        {
            foreach (var output in _core.TakeOutputs())
            {
                try
                {
                    _hooks.BeforeOutput?.Invoke(output);
                    LoopPerform(output);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    LoopOutputFailed(output, exception);
                }
                LoopObserveForAgents(output);
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
                if (changed.Member.Id == Id)
                {
                    LoopSelfChanged();
                }
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

    /// <summary>An output could not be performed: logged with its key and counted; the request waiting on it, if any, is answered 500.</summary>
    private void LoopOutputFailed(ReplicaOutput output, Exception exception)
    {
        string? key = null;
        switch (output)
        {
            case WriteCompleted completed when _writes.Remove(completed.WriteId, out var write):
                key = write.Key;
                write.Completion.TrySetException(new NodeRequestException(
                    StatusCodes.Status500InternalServerError,
                    "Internal error",
                    $"The write to '{write.Key}' ended {completed.Outcome}, but the node failed to answer it ({exception.GetType().Name}); the failure is logged and counted.",
                    exception));
                break;
            case ReadCompleted completed:
                key = completed.Key;
                if (_reads.Remove(completed.ReadId, out var read))
                {
                    read.Completion.TrySetException(new NodeRequestException(
                        StatusCodes.Status500InternalServerError,
                        "Internal error",
                        $"The node failed to answer the read of '{completed.Key}' ({exception.GetType().Name}); the failure is logged and counted.",
                        exception));
                }
                break;
            case ObjectChanged changed:
                key = changed.Key;
                break;
            case SendMessage send:
                key = FirstKey(send.Message);
                break;
            case PersistLog { Records: [var first, ..] }:
                key = first.Key;
                break;
            case MembershipChanged changed:
                key = changed.Member.Address;
                break;
        }
        LoopFailed("performing", output.GetType().Name, key, exception);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {Address} ({ReplicaId}) is {Status} at incarnation {Incarnation}")]
    private partial void LogMemberChanged(string address, Jarvis.Crdt.ReplicaId replicaId, Jarvis.Replication.Membership.MemberStatus status, ulong incarnation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} sent a message this replica could not use: {Reason}")]
    private partial void LogProtocolError(string peer, string reason);
}
