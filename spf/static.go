package spf

// What a record says before any client is checked: the parts of the
// engine that a linter or an editor needs, exported one by one.

// ValidateDomain says why domain cannot be checked (RFC 7208 §4.3): it is
// not a fully qualified domain name of labels of 1 to 63 characters, at
// most 253 in all, ending in a top-level label. It returns nil for a
// domain that can.
func ValidateDomain(domain string) error { return checkDomain(domain) }

// Macro is one macro-expand of a term's domain-spec (RFC 7208 §7.1), as
// written.
type Macro struct {
	Letter byte   // the macro letter in lower case (RFC 7208 §7.2), e.g. 'l'
	Text   string // the macro as written, e.g. "%{l1r-}"
}

// Macros returns the macros of t's domain-spec or macro-string, in order;
// none for a literal one.
func (t *Term) Macros() []Macro {
	var ms []Macro
	for _, p := range t.spec {
		if p.letter != 0 {
			ms = append(ms, Macro{Letter: p.letter, Text: p.text})
		}
	}
	return ms
}

// Target returns the domain t looks up when the current domain is domain,
// if that does not depend on the client or the sender: the current domain
// when t names none (RFC 7208 §4.8), else its domain-spec with any %{d}
// macros expanded and truncated to 253 characters (RFC 7208 §7.3). It
// returns false for a domain-spec with other macros and for terms that
// name no domain (all, ip4, ip6, unknown modifiers).
func (t *Term) Target(domain string) (string, bool) {
	switch t.Kind {
	case KindAll, KindIP4, KindIP6, KindModifier:
		return "", false
	}
	if t.Value == "" {
		return domain, true
	}
	for _, p := range t.spec {
		if p.letter != 0 && p.letter != 'd' {
			return "", false
		}
	}
	e := &evaluation{c: &Checker{}, domain: domain}
	return e.expandDomain(t.spec, t.Value), true
}
