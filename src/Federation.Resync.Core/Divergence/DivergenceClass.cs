namespace Federation.Resync.Core.Divergence;

/// <summary>How our state at a probe event compares with the peers' (see <see cref="DivergenceClassifier"/>).</summary>
public enum DivergenceClass
{
    /// <summary>Too few peers answered with a digest to say anything.</summary>
    InsufficientAnswers,

    /// <summary>Every peer that answered holds our digest.</summary>
    InSync,

    /// <summary>A strict majority holds our digest; some peers differ (they lag or are wrong): log and count only.</summary>
    PeerLagging,

    /// <summary>A strict majority agrees on a digest other than ours ("weak sync"): fetch what they hold and re-resolve
    /// locally. Their digest is a hint of whom to ask, never state to adopt.</summary>
    WeAreMinority,

    /// <summary>No digest has a strict majority ("hard sync"): alert the operator; nothing is changed automatically.</summary>
    NoMajority,
}
