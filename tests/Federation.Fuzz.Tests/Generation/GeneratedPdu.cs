using Federation.Protocol.RoomVersions;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>A PDU hashed and signed by <see cref="FuzzKeys.Origin"/>, as sent over federation.</summary>
public sealed record GeneratedPdu(RoomVersion Version, byte[] Text);
