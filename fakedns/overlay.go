package fakedns

import (
	"context"
	"net/netip"

	"spflab/spf"
)

// Overlay answers from Base, except that a domain in Records has its
// published SPF record replaced by a draft: its TXT answer is Base's TXT
// records that are not SPF records (RFC 7208 §4.5: "v=spf1" followed by a
// space or the end), then the draft. A domain with a draft answers it even
// when Base has no such name, no TXT record or fails.
type Overlay struct {
	Base spf.Resolver
	// Records maps a domain, in Canonical form, to its draft record.
	Records map[string]string
}

// LookupTXT returns Base's TXT records of name, with name's draft in place
// of its SPF records.
func (o *Overlay) LookupTXT(ctx context.Context, name string) ([]string, error) {
	draft, ok := o.Records[Canonical(name)]
	if !ok {
		return o.Base.LookupTXT(ctx, name)
	}
	base, _ := o.Base.LookupTXT(ctx, name)
	txts := make([]string, 0, len(base)+1)
	for _, t := range base {
		if !spf.IsSPFRecord(t) {
			txts = append(txts, t)
		}
	}
	return append(txts, draft), nil
}

// LookupA returns Base's answer.
func (o *Overlay) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	return o.Base.LookupA(ctx, name)
}

// LookupAAAA returns Base's answer.
func (o *Overlay) LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error) {
	return o.Base.LookupAAAA(ctx, name)
}

// LookupMX returns Base's answer.
func (o *Overlay) LookupMX(ctx context.Context, name string) ([]string, error) {
	return o.Base.LookupMX(ctx, name)
}

// LookupPTR returns Base's answer.
func (o *Overlay) LookupPTR(ctx context.Context, ip netip.Addr) ([]string, error) {
	return o.Base.LookupPTR(ctx, ip)
}

var _ spf.Resolver = (*Overlay)(nil)
