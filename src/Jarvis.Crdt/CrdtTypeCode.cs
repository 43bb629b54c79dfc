namespace Jarvis.Crdt;

/// <summary>
/// The tag naming a CRDT type in encodings. These numbers are written to disk and to the wire: they are
/// frozen, and a test fails if one changes. New types take new numbers.
/// </summary>
public enum CrdtTypeCode
{
    /// <summary>Not a type; never written.</summary>
    None = 0,

    /// <summary><see cref="Jarvis.Crdt.GCounter"/>.</summary>
    GCounter = 1,

    /// <summary><see cref="Jarvis.Crdt.PNCounter"/>.</summary>
    PNCounter = 2,

    /// <summary><see cref="Jarvis.Crdt.BoundedCounter"/>.</summary>
    BoundedCounter = 3,

    /// <summary><see cref="LWWRegister{T}"/>.</summary>
    LWWRegister = 4,

    /// <summary><see cref="MVRegister{T}"/>.</summary>
    MVRegister = 5,

    /// <summary><see cref="Jarvis.Crdt.EWFlag"/>.</summary>
    EWFlag = 6,

    /// <summary><see cref="Jarvis.Crdt.DWFlag"/>.</summary>
    DWFlag = 7,

    /// <summary><see cref="GSet{T}"/>.</summary>
    GSet = 8,

    /// <summary><see cref="TwoPhaseSet{T}"/>.</summary>
    TwoPhaseSet = 9,

    /// <summary><see cref="ORSet{T}"/>.</summary>
    ORSet = 10,

    /// <summary><see cref="RWSet{T}"/>.</summary>
    RWSet = 11,

    /// <summary><see cref="ORMap{TKey, TValue}"/>.</summary>
    ORMap = 12,

    /// <summary><see cref="LWWMap{TKey, TValue}"/>.</summary>
    LWWMap = 13,

    /// <summary><see cref="Jarvis.Crdt.FugueText"/>.</summary>
    FugueText = 14,

    /// <summary><see cref="FugueList{T}"/>.</summary>
    FugueList = 15,

    /// <summary>The add-wins graph (<c>ORGraph</c>).</summary>
    Graph = 16,

    /// <summary>The time series (<c>TimeSeries</c>).</summary>
    TimeSeries = 17,

    /// <summary>A replicated workflow state machine instance.</summary>
    Workflow = 18,

    /// <summary>A multi-step workflow whose steps form a DAG.</summary>
    WorkflowPlan = 19,

    /// <summary>A vote among a fixed electorate (<c>Ballot</c>).</summary>
    Ballot = 20,
}
