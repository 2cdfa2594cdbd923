package fakedns

import (
	"context"
	"net/netip"

	"spflab/spf"
)

// WithDrafts returns base with the draft SPF records of drafts (domain
// name to record; case and a trailing dot do not matter) in place of the
// published ones: "what happens if I publish this?". A domain's TXT answer
// is base's TXT records that are not SPF records (RFC 7208 §4.5: "v=spf1"
// followed by a space or the end), then the draft, even when base has no
// such name, no TXT record or fails. Every other lookup is base's. With no
// drafts it returns base itself.
func WithDrafts(base spf.Resolver, drafts map[string]string) spf.Resolver {
	if len(drafts) == 0 {
		return base
	}
	o := &overlay{base: base, drafts: make(map[string]string, len(drafts))}
	for d, rec := range drafts {
		o.drafts[Canonical(d)] = rec
	}
	return o
}

// overlay is the resolver of WithDrafts.
type overlay struct {
	base   spf.Resolver
	drafts map[string]string // by Canonical domain
}

// LookupTXT returns the base's TXT records of name, with name's draft in
// place of its SPF records.
func (o *overlay) LookupTXT(ctx context.Context, name string) ([]string, error) {
	draft, ok := o.drafts[Canonical(name)]
	if !ok {
		return o.base.LookupTXT(ctx, name)
	}
	base, _ := o.base.LookupTXT(ctx, name)
	txts := make([]string, 0, len(base)+1)
	for _, t := range base {
		if !spf.IsSPFRecord(t) {
			txts = append(txts, t)
		}
	}
	return append(txts, draft), nil
}

// LookupA returns the base's answer.
func (o *overlay) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	return o.base.LookupA(ctx, name)
}

// LookupAAAA returns the base's answer.
func (o *overlay) LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error) {
	return o.base.LookupAAAA(ctx, name)
}

// LookupMX returns the base's answer.
func (o *overlay) LookupMX(ctx context.Context, name string) ([]string, error) {
	return o.base.LookupMX(ctx, name)
}

// LookupPTR returns the base's answer.
func (o *overlay) LookupPTR(ctx context.Context, ip netip.Addr) ([]string, error) {
	return o.base.LookupPTR(ctx, ip)
}

var _ spf.Resolver = (*overlay)(nil)
