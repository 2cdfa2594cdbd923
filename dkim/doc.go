// Package dkim signs and verifies DomainKeys Identified Mail signatures
// (RFC 6376) with github.com/emersion/go-msgauth, and reports every step
// of a verification as a typed Event.
//
// ParseKey reads an RSA (RFC 8301) or Ed25519 (RFC 8463) private key in
// PEM; Key.Record gives the TXT record that publishes its public half at
// selector._domainkey.domain. Sign prepends a DKIM-Signature header field
// to a message, in relaxed/relaxed canonicalization.
//
// A Verifier checks each DKIM-Signature of a message, asking its Resolver
// for the keys — the resolver that serves SPF (an in-memory zone, loopback
// DNS, live DNS) serves DKIM as is. For each signature, in header order,
// its Listener receives: the signature found (d=, s=, a=, h=), the key
// query and its answer, the body hash verdict (when the body was reached),
// and the signature's verdict with the reason. Each event words itself
// (Event.String).
//
// The verdict is a word of RFC 8601 §2.7.1: pass; fail when the body hash
// or the signature does not verify (RFC 6376 §6.1.3); neutral when the
// signature's tag list has syntax errors (RFC 6376 §3.2, RFC 8601: "the
// signature ... contained syntax errors"); temperror when the key query
// failed temporarily (TEMPFAIL, RFC 6376 §6.1.2); permerror for the other
// failures RFC 6376 §6.1 calls PERMFAIL: a missing or revoked key, a
// required tag missing, From not signed, an unsupported or too weak
// algorithm. A message with no signature gets a single verdict none.
// AuthResultsClause writes the dkim= clause of Authentication-Results.
//
// Messages are handled in their SMTP wire form: lines that end in a bare
// LF are read as ending in CRLF (RFC 5321 §2.3.8), so a message file
// signs and verifies as it would travel.
package dkim
