// Package identity holds the key pairs of the parties of a linkage: each
// partner, the linkage unit and each key custodian has one identity made of
//
//   - an HPKE key pair for the X-Wing KEM (X25519 + ML-KEM-768), to which
//     envelopes are sealed, and
//   - a hybrid signing key pair, Ed25519 + ML-DSA-65: a signature is valid
//     only if both halves verify, so it stays unforgeable as long as either
//     scheme is unbroken.
//
// Public keys carry a human name (the partner name) and are identified by a
// KeyID: the first 16 bytes of SHA-256 over the version, the name and the
// three public keys. Keys are stored as PEM text: "SWD PUBLIC KEY" files
// (*.pub) and "SWD PRIVATE KEY" files (*.key, 0600, read through
// internal/keyfile), whose body is the three 32-byte seeds from which all
// keys are derived.
package identity
