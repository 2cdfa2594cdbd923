// Package lint checks SPF records statically (RFC 7208): it follows a
// domain's include and redirect tree through an spf.Resolver, counts the
// DNS lookups a check can cost against the limits of RFC 7208 §4.6.4 —
// past them too, to show where a receiver stops and what the rest would
// cost — counts the address space each record authorises, and reports
// mistakes and risky practice as findings.
//
// Every finding belongs to a Rule with a stable ID ("SPF-L004"), a
// severity, the section of RFC 7208 that explains it, the term and its
// column, and a fix; Rules lists them. A finding words itself (Finding's
// String, Where, Ref and Caret); WriteText, WriteJSON and WriteSARIF
// (SARIF 2.1.0, for code-scanning UIs) lay reports out without new words.
//
// It reads records with package spf's parser and never evaluates a
// client: what it reports holds for every client, in the worst case (a
// check in which nothing matches). Two limits come from the Resolver:
// TXT records arrive with their strings joined, so strings that glue two
// terms together are found from the joined text (see glue.go), and the
// obsolete SPF record type 99 is not asked for.
package lint
