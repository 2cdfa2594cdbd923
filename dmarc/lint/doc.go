// Package lint checks a domain's DMARC record (RFC 9989) before receivers
// do: it discovers the record that applies to the domain by package
// dmarc's DNS Tree Walk (§4.10), reports what receivers ignore in it and
// what it asks for, and checks that every report destination in another
// organization has published its consent (RFC 9990 §3).
//
// Every finding belongs to a Rule with a stable ID ("DMARC-L004"), a
// severity, the RFC section that explains it, the tag and its column, and
// a fix; Rules lists them. Rules, findings and their writers are package
// finding's, shared with the SPF lint (spf/lint), so both read, print and
// serialise alike: WriteText, WriteJSON and WriteSARIF lay a Report out
// without new words.
//
// A Finding's Domain is the name whose TXT record has the problem: the
// _dmarc name of the record, "_dmarc.example.com".
package lint
