// Package spf evaluates Sender Policy Framework records (RFC 7208).
//
// It parses records into terms with byte positions, runs check_host()
// (RFC 7208 §4) against a Resolver, and reports every step of the
// evaluation to an optional Listener as typed Events: the record looked up,
// each DNS query, each macro expansion, each term with its outcome and
// reason, include and redirect entered and left, and the final result.
//
// The package knows nothing about how DNS is answered: the caller passes a
// Resolver (an in-memory zone, a live DNS client, an overlay of a draft
// record over either).
package spf
