using Federation.Protocol.RoomVersions;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>A signed <c>PUT /send/{txnId}</c> request: its target, Authorization header, body and the room version of each PDU.</summary>
public sealed record GeneratedTransaction(string Uri, string Header, byte[] Body, IReadOnlyList<RoomVersion> PduVersions);
