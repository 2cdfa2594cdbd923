package lint

import (
	"errors"
	"net/netip"
	"strings"

	"spflab/spf"
)

// The lookups of a lint: each name and type is asked once per lint, as a
// receiver's caching resolver would.

// state is how a lookup went.
type state uint8

const (
	found  state = iota
	void         // no such name, or no records of the type (RFC 7208 §4.6.4)
	failed       // a timeout or server failure: temperror (RFC 7208 §2.6.6)
)

func stateOf(n int, err error) state {
	switch {
	case err == nil && n > 0:
		return found
	case err == nil || errors.Is(err, spf.ErrNoSuchName) || errors.Is(err, spf.ErrNoData):
		return void
	}
	return failed
}

type txtAnswer struct {
	txts []string
	err  error
}

type addrAnswer struct {
	addrs []netip.Addr
	state state
}

type mxAnswer struct {
	hosts []string
	state state
}

func canonical(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// lookupTXT returns the TXT records of name. For the root of a draft lint,
// the draft replaces the SPF records.
func (s *linter) lookupTXT(name string) ([]string, error) {
	key := canonical(name)
	if a, ok := s.txt[key]; ok {
		return a.txts, a.err
	}
	txts, err := s.l.Resolver.LookupTXT(s.ctx, name)
	if s.isDraft && key == canonical(s.root) {
		var own []string
		for _, t := range txts {
			if !spf.IsSPFRecord(t) {
				own = append(own, t)
			}
		}
		txts, err = append(own, s.draft), nil
	}
	if err == nil && len(txts) == 0 {
		err = &spf.DNSError{QType: "TXT", Name: name, Err: spf.ErrNoData}
	}
	s.txt[key] = txtAnswer{txts, err}
	return txts, err
}

// lookupAddrs returns the addresses of name of qtype "A" or "AAAA".
func (s *linter) lookupAddrs(qtype, name string) ([]netip.Addr, state) {
	key := qtype + " " + canonical(name)
	if a, ok := s.addrs[key]; ok {
		return a.addrs, a.state
	}
	lookup := s.l.Resolver.LookupA
	if qtype == "AAAA" {
		lookup = s.l.Resolver.LookupAAAA
	}
	addrs, err := lookup(s.ctx, name)
	a := addrAnswer{addrs, stateOf(len(addrs), err)}
	if a.state != found {
		a.addrs = nil
	}
	s.addrs[key] = a
	return a.addrs, a.state
}

// lookupMX returns the exchange hosts of name.
func (s *linter) lookupMX(name string) ([]string, state) {
	key := canonical(name)
	if a, ok := s.mx[key]; ok {
		return a.hosts, a.state
	}
	hosts, err := s.l.Resolver.LookupMX(s.ctx, name)
	a := mxAnswer{hosts, stateOf(len(hosts), err)}
	if a.state != found {
		a.hosts = nil
	}
	s.mx[key] = a
	return a.hosts, a.state
}

// failure names how a TXT lookup failed: "no such name", "no TXT
// records", or the error.
func failure(err error) string {
	switch {
	case errors.Is(err, spf.ErrNoSuchName):
		return "no such name"
	case errors.Is(err, spf.ErrNoData):
		return "no TXT records"
	}
	return err.Error()
}
