namespace Federation.Resync.Core.Fingerprints;

/// <summary>One entry of a state map: the slot (type, state key) and the event that fills it.</summary>
public readonly record struct StateEntry(string Type, string StateKey, string EventId);
