using Jarvis.Replication.Protocol;

namespace Jarvis.Simulation;

/// <summary>A message as it left a replica, for observers such as the wire benchmark.</summary>
/// <param name="Time">Virtual time of sending, in milliseconds.</param>
/// <param name="From">The sender's index.</param>
/// <param name="To">The receiver's index.</param>
/// <param name="Message">The message.</param>
/// <param name="Bytes">Its encoded size.</param>
public readonly record struct SentMessage(long Time, int From, int To, Message Message, int Bytes);
