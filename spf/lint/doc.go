// Package lint checks SPF records statically (RFC 7208): it follows a
// domain's include and redirect tree through an spf.Resolver, counts the
// DNS lookups a check can cost against the limits of RFC 7208 §4.6.4, and
// reports mistakes and risky practice as findings, each with the section
// of RFC 7208 that explains it and a fix.
//
// It reads records with package spf's parser and never evaluates a
// client: what it reports holds for every client, in the worst case (a
// check in which nothing matches).
package lint
