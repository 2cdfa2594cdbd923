package fakedns

import (
	"context"
	"net/netip"
	"sync/atomic"

	"spflab/spf"
)

// WithDrafts returns base with the draft SPF records of drafts (domain
// name to record; case and a trailing dot do not matter) in place of the
// published ones: "what happens if I publish this?". A domain's TXT answer
// is base's TXT records that are not SPF records (RFC 7208 §4.5: "v=spf1"
// followed by a space or the end), then the draft, even when base has no
// such name, no TXT record or fails. Every other lookup is base's. With no
// drafts it returns base itself. A slice it returns must not be modified.
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
	last   atomic.Pointer[merged]
}

// merged is a TXT answer with a draft in place: the draft, the base's
// answer it was made of, and the answer.
type merged struct {
	draft      string
	base, txts []string
}

// LookupTXT returns the base's TXT records of name, with name's draft in
// place of its SPF records. The last answer is kept and given again while
// the base answers with the same slice (a Zone always does): a comparison
// over a million senders asks for it a million times.
func (o *overlay) LookupTXT(ctx context.Context, name string) ([]string, error) {
	draft, ok := o.drafts[Canonical(name)]
	if !ok {
		return o.base.LookupTXT(ctx, name)
	}
	base, _ := o.base.LookupTXT(ctx, name)
	if m := o.last.Load(); m != nil && m.draft == draft && len(m.base) == len(base) && (len(base) == 0 || &m.base[0] == &base[0]) {
		return m.txts, nil
	}
	txts := make([]string, 0, len(base)+1)
	for _, t := range base {
		if !spf.IsSPFRecord(t) {
			txts = append(txts, t)
		}
	}
	txts = append(txts, draft)
	o.last.Store(&merged{draft, base, txts})
	return txts, nil
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
