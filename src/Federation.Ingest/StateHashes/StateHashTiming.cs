namespace Federation.Ingest.StateHashes;

/// <summary>When a sender's state digests were compared with ours.</summary>
public enum StateHashTiming
{
    /// <summary>Before <c>/send</c> answered: the event already had state, or its state is its single prev's.</summary>
    AtSend,

    /// <summary>Once the inbound queue processed the event (MSC4500 lets a receiver defer the check).</summary>
    AfterProcessing,
}
