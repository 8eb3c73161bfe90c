namespace Federation.StateResolution.Dag;

/// <summary>How events along the DAG are treated when computing the state at an event.</summary>
public enum DagMode
{
    /// <summary>
    /// An event that fails the auth rules against the state before it is rejected: it is marked rejected in the graph
    /// (so it never enters state later) and the state after it is the state before it.
    /// </summary>
    RejectUnauthorised,

    /// <summary>
    /// Every event along the DAG is taken as accepted (the way Synapse's state-resolution tests build rooms); state
    /// resolution's own iterative auth checks still run.
    /// </summary>
    TrustDag,
}
