namespace Jarvis.Agents.Scheduling.Internal;

/// <summary>The shortest schedule seen so far in a search, copied out of whatever built it.</summary>
internal sealed class IncumbentSchedule
{
    private readonly int[] _processor;
    private readonly double[] _start;
    private readonly double[] _finish;

    public IncumbentSchedule(int taskCount)
    {
        _processor = new int[taskCount];
        _start = new double[taskCount];
        _finish = new double[taskCount];
    }

    public double Makespan { get; private set; } = double.PositiveInfinity;

    public void Offer(ListScheduleDecoder decoder) => Offer(decoder.Processor, decoder.Start, decoder.Finish, decoder.Makespan);

    /// <summary>Keeps the schedule if it is shorter than the one held.</summary>
    public void Offer(int[] processor, double[] start, double[] finish, double makespan)
    {
        if (makespan >= Makespan)
        {
            return;
        }
        Makespan = makespan;
        Array.Copy(processor, _processor, processor.Length);
        Array.Copy(start, _start, start.Length);
        Array.Copy(finish, _finish, finish.Length);
    }

    public Schedule ToSchedule() => new(_processor, _start, _finish);
}
