namespace Jarvis.Simulation.Internal;

/// <summary>What one trace line records.</summary>
internal enum TraceKind
{
    Tick,
    Deliver,
    DropLoss,
    DropPartition,
    DropDown,
    DropIdentity,
    Duplicate,
    DiskDone,
    DiskFailed,
    DiskDropped,
    WriteCompleted,
    ReadCompleted,
    Script,
    DriverFailure,
}
