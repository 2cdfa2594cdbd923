// Package livedns is spflab's resolver of real DNS: the servers of
// /etc/resolv.conf (ClientFromResolvConf) or the ones given
// (NewClient("192.0.2.53:53")), for check and lint of published records.
//
// Client implements spf.Resolver with miekg/dns: UDP, TCP when an answer
// is truncated (RFC 7766 §5), CNAMEs followed (RFC 1034 §3.6.2), a
// deadline per query and server. Failures are spf.ErrTemporary and name
// the server and the reason, so that a receiver's temperror
// (RFC 7208 §5) says why: a timeout, SERVFAIL, REFUSED (an authoritative
// server asked about a name outside its zones), an answer still truncated
// over TCP, a CNAME chain that loops. Ping checks that some server answers
// at all before a check starts.
//
// Its tests stand fakedns up on loopback as the rest of the world, and
// hostile servers that answer what no real one should.
package livedns
