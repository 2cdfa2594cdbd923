// Package fakedns answers DNS queries from in-memory zones: the rest of
// the world for lessons, suites and tests, without a network.
//
// A Zone holds resource records (RFC 1035 §3.2) keyed by owner name and
// implements spf.Resolver, so the SPF evaluator runs against it. It is
// built with plain values:
//
//	z := fakedns.NewZone()
//	z.AddTXT("euston.net", "v=spf1 ip4:192.0.2.25 -all")
//	z.AddMX("euston.net", 10, "mail.euston.net")
//	z.AddAddr("mail.euston.net", netip.MustParseAddr("192.0.2.25"))
//	z.AddPTR(fakedns.ReverseName(ip), "mail.euston.net")
//
// or loaded from a BIND master file (LoadZoneFile, RFC 1035 §5); package
// zonedata reads the YAML zonedata format of the openspf.org suite, which
// lessons use too. Faults are part of the zone: a name can time out
// (AddTimeout) or answer SERVFAIL (AddServFail) for the query types not
// added before the fault, as the suite's TIMEOUT entry does.
//
// Records come back as Record values, plain text in presentation form;
// Record.String is their one canonical wording (`TXT "v=spf1 -all"`,
// `MX 10 mail.euston.net`), with every octet outside printable ASCII
// written \DDD so that a hostile zone never reaches a terminal raw.
//
// Server serves a Zone over real DNS on one port, UDP and TCP (miekg/dns's
// messages; on an address of its own, UDP read and answered a batch of
// packets per system call by one reader per CPU), as an authoritative
// server: UDP answers capped at 1232 octets with TC set beyond, ANY
// answered minimally (RFC 8482). Its OnQuery hook sees
// every query as a Query, which words itself (Query.String) for the serve
// log and monitor. The live resolver that asks real servers is package
// livedns.
//
// WithDrafts puts draft SPF records in place of the published ones over
// any resolver: "what happens if I publish this?". ReverseName and
// ParseReverseName convert between an address and its name under
// in-addr.arpa or ip6.arpa.
//
// No type of miekg/dns or of a YAML library appears in this package's
// API.
package fakedns
