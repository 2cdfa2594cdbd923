package spf

import (
	"net/netip"
)

// The lookups of an evaluation: each goes to the Resolver and, with a
// Listener, becomes an EventDNS. An empty answer becomes ErrNoData.

func (e *evaluation) lookupTXT(name string) ([]string, error) {
	txts, err := e.c.Resolver.LookupTXT(e.ctx, name)
	err = noData("TXT", name, len(txts), err)
	if e.listener != nil {
		e.emitDNSText("TXT", name, txts, err)
	}
	return txts, err
}

func (e *evaluation) lookupAddrs(name string, v6 bool) ([]netip.Addr, error) {
	var addrs []netip.Addr
	var err error
	qtype := "A"
	if v6 {
		qtype = "AAAA"
		addrs, err = e.c.Resolver.LookupAAAA(e.ctx, name)
	} else {
		addrs, err = e.c.Resolver.LookupA(e.ctx, name)
	}
	err = noData(qtype, name, len(addrs), err)
	if e.listener != nil {
		e.emitDNSAddrs(qtype, name, addrs, err)
	}
	return addrs, err
}

func (e *evaluation) lookupMX(name string) ([]string, error) {
	hosts, err := e.c.Resolver.LookupMX(e.ctx, name)
	err = noData("MX", name, len(hosts), err)
	if e.listener != nil {
		e.emitDNSText("MX", name, hosts, err)
	}
	return hosts, err
}

// lookupPTR returns at most maxNames names (RFC 7208 §4.6.4: the rest are
// ignored).
func (e *evaluation) lookupPTR() ([]string, error) {
	names, err := e.c.Resolver.LookupPTR(e.ctx, e.ip)
	if err == nil && len(names) == 0 {
		err = noData("PTR", e.ipText(), 0, nil)
	}
	if e.listener != nil {
		e.emitDNSText("PTR", e.ipText(), names, err)
	}
	if len(names) > e.maxNames {
		names = names[:e.maxNames]
	}
	return names, err
}

func noData(qtype, name string, n int, err error) error {
	if err == nil && n == 0 {
		return &DNSError{QType: qtype, Name: name, Err: ErrNoData}
	}
	return err
}
