// Package keyserver is an oblivious pseudonym service: an HTTP server that
// evaluates an OPRF (RFC 9497, OPRF mode, ristretto255-SHA512, from
// github.com/cloudflare/circl/oprf) on blinded inputs, and the client that
// blinds, calls it in batches and finalizes.
//
// A partner turns each exact identifier (a normalised fiscal code) into a
// pseudonym F(k, x) without learning the server key k, and the server learns
// nothing about x. No partner therefore holds a key with which it could
// test guesses offline: every guess costs a request, which the server
// authenticates (one bearer token per partner), rate-limits (a token bucket
// per partner, counted in evaluations) and records in an audit log. The
// audit log holds time, partner, batch size, status and duration: never an
// element, blinded or not.
//
// Wire protocol (JSON over HTTP):
//
//	POST /v1/evaluate
//	Authorization: Bearer <token>
//	{"elements": ["<base64 of a 32-byte ristretto255 element>", ...]}
//
//	200 {"elements": ["<base64>", ...]}  same order and count
//	400 malformed request or element   401 bad token
//	413 body or batch too large         429 rate limit (Retry-After: seconds)
//
//	GET /v1/health → 200 {"status":"ok","suite":"ristretto255-SHA512","max_batch":N}
package keyserver
