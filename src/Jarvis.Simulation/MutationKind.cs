namespace Jarvis.Simulation;

/// <summary>The mutations a simulated workload issues, one CRDT type each.</summary>
public enum MutationKind
{
    /// <summary>Adds an element to an <c>ORSet&lt;string&gt;</c>.</summary>
    SetAdd,

    /// <summary>Removes an element from an <c>ORSet&lt;string&gt;</c> (the adds of it the replica has seen).</summary>
    SetRemove,

    /// <summary>Adds an element to the <c>ORSet&lt;string&gt;</c> under a key of an <c>ORMap&lt;string, ORSet&lt;string&gt;&gt;</c>.</summary>
    NestedAdd,

    /// <summary>Removes a key of an <c>ORMap&lt;string, ORSet&lt;string&gt;&gt;</c>.</summary>
    NestedRemove,

    /// <summary>Increments a <c>GCounter</c>.</summary>
    GCounterIncrement,

    /// <summary>Increments a <c>PNCounter</c>.</summary>
    PNCounterIncrement,

    /// <summary>Decrements a <c>PNCounter</c>.</summary>
    PNCounterDecrement,

    /// <summary>
    /// Adds many elements to an <c>ORSet&lt;string&gt;</c> as one delta (the join of their add deltas), to
    /// build a large set cheaply; the checkers do not track its elements one by one.
    /// </summary>
    SetAddRange,

    /// <summary>Sets an <c>LWWRegister&lt;string&gt;</c> with a timestamp from the replica's (skewed) hybrid logical clock.</summary>
    RegisterSet,

    /// <summary>Inserts text into a <c>FugueText</c> at a position chosen from the mutation's amount.</summary>
    TextInsert,

    /// <summary>Deletes one to three characters of a <c>FugueText</c> at a position chosen from the mutation's amount.</summary>
    TextDelete,

    /// <summary>Appends a point to the <c>TimeSeries</c> (1 s windows) under a key of an <c>ORMap&lt;string, TimeSeries&gt;</c>: timestamp = amount.</summary>
    SeriesAppend,

    /// <summary>Downsamples the <c>TimeSeries</c> under a key of an <c>ORMap&lt;string, TimeSeries&gt;</c> before timestamp = amount.</summary>
    SeriesDownsample,

    /// <summary>Removes a key of an <c>ORMap&lt;string, TimeSeries&gt;</c> (the incarnations the replica has seen).</summary>
    SeriesRemove,

    /// <summary>
    /// Moves the <c>Workflow</c> (draft → review → approved | rejected) under a key of an
    /// <c>ORMap&lt;string, Workflow&gt;</c> to one of its allowed next states, chosen by amount (nothing when final).
    /// </summary>
    FlowTransition,

    /// <summary>Removes a key of an <c>ORMap&lt;string, Workflow&gt;</c> (the incarnations the replica has seen).</summary>
    FlowRemove,
}
