// Package envelope seals files for one recipient and signs them for the
// recipient to check who sent them: HPKE (RFC 9180, base mode) with the
// X-Wing KEM (X25519 + ML-KEM-768), HKDF-SHA256 and AES-256-GCM, applied to
// the payload in 64 KiB chunks, and a hybrid Ed25519 + ML-DSA-65 signature
// over the whole transcript.
//
// The format is specified byte by byte in docs/envelope.md. In short:
//
//	"SWDENV" | version | suite | chunk size | header length | header (JSON)
//	| enc length | enc | chunk records … | signature length | signature
//
// The header (sender and recipient key ids, content type, file name,
// partner, creation time) enters the HPKE key schedule as info, so changing
// one byte of it makes every chunk fail to decrypt. Each chunk is sealed
// with the HPKE context (its sequence number is the chunk counter) and
// carries a last-chunk flag in its associated data, so reordering,
// dropping, duplicating or truncating chunks is detected. The signature
// covers SHA-256 of every byte before it, and nothing may follow it.
//
// Memory use is constant in the payload size. Every failure to open is
// marked swd.ErrIntegrity. Open writes plaintext before the signature at
// the end has been checked: callers of Open must discard the output when it
// returns an error; OpenFile does this for them (atomic write, committed
// only after the signature verified).
package envelope
