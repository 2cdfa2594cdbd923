// Package dmarc evaluates DMARC (RFC 9989, which obsoletes RFC 7489 and
// RFC 9091) for a received message.
//
// Parse reads a DMARC Policy Record (§4.7, §4.8). Checker.Check takes the
// message's From: header fields and its SPF and DKIM results (NewMessage
// gathers them from the message and package dkim's verdicts), discovers the
// policy by the DNS Tree Walk, checks Identifier Alignment, and returns the
// Result and the Disposition; every step — each DNS query, each record,
// each Organizational Domain, each alignment comparison, the policy applied
// — reaches an optional Listener as a typed Event that words itself.
// AuthResultsClause writes the dmarc= clause of Authentication-Results.
// The package knows nothing about how DNS is answered: the caller passes a
// Resolver, the same as for SPF.
//
// # Which reading of RFC 9989 this is
//
// Section numbers are those of draft-ietf-dmarc-dmarcbis-41, the text that
// became RFC 9989. No public suffix list is used.
//
// Records (§4.7, §4.8). A TXT record is a DMARC record when it begins with
// "v=DMARC1" (white space allowed around "="; "DMARC1" case-sensitive),
// followed by ";" or the end; any other text at a _dmarc name is not one.
// After the version, whatever does not follow the grammar is ignored and
// the tag keeps its default (§4.8), each reported as a Problem naming the
// tag and its column: an empty or malformed tag, a value that is not valid
// for its tag, a repeated tag (the first one counts), an unknown tag (§4.7),
// the tags pct, rf and ri that RFC 9989 removed (Appendix C.5.2), the
// obsolete "!size" of a report URI. Tag names and the values of p, sp, np,
// psd, t, adkim, aspf and fo are compared without regard to case (RFC 5234
// §2.3 literals). An absent p counts as p=none (§4.7).
//
// The DNS Tree Walk (§4.10). The walk queries _dmarc.<domain> at its
// starting domain; if that domain has eight labels or more, the next
// target keeps its seven rightmost labels, otherwise one label is removed;
// then one label is removed at a time, down to a single label (the
// top-level domain, never the root). That is at most eight queries. Of the
// TXT records at a name, those that are not DMARC records are discarded,
// and when more than one DMARC record remains all are discarded (step 2).
// The walk stops after a record with psd=y or psd=n, or after the last
// label. Within one Check every _dmarc name is queried at most once.
//
// The Organizational Domain (§4.10.2) of a domain is chosen from the
// records its walk found, from the longest name to the shortest: a record
// with psd=n makes its domain the Organizational Domain (rule 1); a record
// with psd=y, other than that of the domain the walk started at, makes the
// domain one label below it the Organizational Domain (rule 2); otherwise
// the domain with a record and the fewest labels is (rule 3). With no
// record at all, the domain itself is its Organizational Domain.
//
// Policy discovery (§4.10.1) is the walk from the Author Domain: the
// Author Domain's own record applies if it has one; otherwise the record of
// its Organizational Domain; otherwise, when a record with psd=y stopped
// the walk, that public suffix domain's record. With none, DMARC does not
// apply: the result is none. For the Author Domain's own record the policy
// is p; for a record found above it, sp, or np when the Author Domain does
// not exist, each falling back to sp and then p when absent. t=y lowers
// the disposition one level (§4.7): reject to quarantine, quarantine to
// none. A record whose p, sp or np is present but not valid counts as
// p=none when rua holds a valid URI, and otherwise the message gets no
// DMARC processing, which this package reports as permerror (§4.10.1,
// §9.2).
//
// Existence (§3.2.13, Appendix A.4). A domain does not exist when a query
// for it answers NXDOMAIN (RFC 8020); NODATA means it exists, whatever
// records it holds. It is asked only when it matters: the record that
// applies has an np tag, the Author Domain is below the record's domain,
// and no identifier is aligned. The query is for A records; only the
// NXDOMAIN-or-not of its answer is used. (The "has no A, AAAA or MX" test
// of RFC 5321's resolvability is what Appendix A.4 sets aside.)
//
// Alignment (§4.4, §3.2.10). Only an identifier whose method passed is
// authenticated: the SPF domain (the MAIL FROM identity, §3.2.4) when SPF
// passed, and the d= of each DKIM signature that passed. Strict alignment
// needs the identifier and the Author Domain to be identical (without
// regard to case); relaxed alignment needs them to have the same
// Organizational Domain, found by a tree walk from each; identical domains
// need no walk. The result is pass when any identifier is aligned (§5.3.5),
// fail when none is.
//
// Errors. A temporary DNS failure during policy discovery, or in a walk
// that a comparison needed when no other identifier is aligned, or in the
// existence query, makes the result temperror with no policy applied
// (§5.3.6).
//
// The From: header field (§5.3.1, §4.4, §11.5). The Author Domain is the
// domain of the From: address, in lower case, a U-label converted to an
// A-label. A message with no From: field, with more than one, or whose
// field cannot be parsed (net/mail) or names no domain cannot be evaluated:
// permerror. One field with several addresses of one domain has that
// Author Domain. One field naming several domains is evaluated per domain
// (up to MaxAuthorDomains, beyond which the evaluation is incomplete and
// the result permerror) and, as §11.5 recommends, the strictest policy
// among the domains that fail applies: the result is fail if any domain
// fails, else temperror, permerror, pass, none in that order.
package dmarc
