// Package fakedns answers DNS queries from in-memory zones.
//
// A Zone holds resource records (RFC 1035 §3.2) keyed by owner name and
// implements spf.Resolver, so the SPF evaluator can run against it without
// a network. Zones load from the zonedata format of the openspf.org test
// suite (ParseZoneData, ZoneDataFromNode), which spflab's scenarios.yaml uses
// too, and from BIND master files (LoadZoneFile, RFC 1035 §5).
//
// Faults are part of the zone: a name can time out or answer SERVFAIL for
// the query types not listed before the fault, as the suite's TIMEOUT entry
// does.
//
// Server serves a Zone over real DNS on loopback (UDP and TCP, miekg/dns),
// and Client is a live resolver that asks real DNS servers: the two let
// tests treat a zone as "the rest of the world" without the internet.
// Overlay replaces one domain's published SPF record by a draft over any
// resolver.
package fakedns
