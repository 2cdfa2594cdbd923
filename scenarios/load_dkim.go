package scenarios

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/mail"
	"strings"

	"go.yaml.in/yaml/v3"

	"spflab/dkim"
	"spflab/dmarc"
	"spflab/fakedns"
	"spflab/internal/yamlnode"
	"spflab/smtpsim"
)

// Keys of the DKIM and DMARC parts of a scenario.
var (
	signerKeys   = []string{"domain", "selector", "seed", "key"}
	tamperings   = []string{"body", "subject"}
	dkimResults  = []string{"pass", "fail", "none", "neutral", "temperror", "permerror"}
	dmarcResults = []string{"pass", "fail", "none", "temperror", "permerror"}
)

// signers loads a scenario's dkim: list, the keys its messages are signed
// with.
func (l *loader) signers(n *yaml.Node, field string) []Signer {
	list := yamlnode.Deref(n)
	switch {
	case list.Kind != yaml.SequenceNode:
		l.errorf(list, field, "want a list of signing keys, each {domain, selector, seed or key}, got %s", describe(list))
		return nil
	case len(list.Content) == 0:
		l.errorf(list, field, "the list is empty")
		return nil
	}
	var out []Signer
	seen := make(map[string]int) // domain → line
	for i, item := range list.Content {
		f := fmt.Sprintf("%s[%d]", field, i+1)
		s, ok := l.signer(item, f)
		if !ok {
			continue
		}
		d := fakedns.Canonical(s.Domain)
		if line, dup := seen[d]; dup {
			l.errorf(item, f+".domain", "a second key for %s (the first at line %d): a step's sign: names a key by its domain", s.Domain, line)
			continue
		}
		seen[d] = yamlnode.Deref(item).Line
		out = append(out, s)
	}
	return out
}

// signer loads one signing key: an Ed25519 key made from seed:, or a PEM
// private key (RSA or Ed25519) in key:.
func (l *loader) signer(n *yaml.Node, field string) (Signer, bool) {
	var s Signer
	m := l.mapping(n, field, signerKeys)
	if m == nil {
		return s, false
	}
	good := true
	for _, k := range []string{"domain", "selector"} {
		p, ok := m[k]
		if !ok {
			l.errorf(n, field+"."+k, "missing")
			good = false
			continue
		}
		v, ok := l.str(p.v, field+"."+k)
		switch {
		case !ok:
			good = false
		case k == "domain" && !smtpsim.IsHostName(v):
			l.errorf(p.v, field+".domain", "%q is not a domain name", v)
			good = false
		case k == "selector" && !isSelector(v):
			l.errorf(p.v, field+".selector", "%q is not a selector: DNS labels of letters, digits, \"-\" and \"_\" (RFC 6376 §3.1)", v)
			good = false
		case k == "domain":
			s.Domain = strings.TrimSuffix(v, ".")
		default:
			s.Selector = v
		}
	}
	seed, hasSeed := m["seed"]
	pemKey, hasKey := m["key"]
	switch {
	case hasSeed && hasKey:
		l.errorf(pemKey.k, field+".key", "give seed: (an Ed25519 key made from it) or key: (a PEM private key), not both")
		return s, false
	case hasSeed:
		text, ok := l.str(seed.v, field+".seed")
		if !ok {
			return s, false
		}
		s.Key = seedKey(text)
		s.Seeded = true
	case hasKey:
		text, ok := l.str(pemKey.v, field+".key")
		if !ok {
			return s, false
		}
		k, err := dkim.ParseKey([]byte(text))
		if err != nil {
			l.errorf(pemKey.v, field+".key", "%v", err)
			return s, false
		}
		s.Key = k
	default:
		l.errorf(n, field+".seed", "missing: give seed: (any text; an Ed25519 key is made from it) or key: (a PEM private key)")
		return s, false
	}
	return s, good
}

// seedKey makes the Ed25519 key of a seed text: the private key whose
// seed is the SHA-256 of the text (RFC 8032 §5.1.5), the same on every
// load.
func seedKey(text string) *dkim.Key {
	seed := sha256.Sum256([]byte(text))
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		panic("scenarios: an Ed25519 key does not marshal: " + err.Error())
	}
	k, err := dkim.ParseKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		panic("scenarios: an Ed25519 key does not parse: " + err.Error())
	}
	return k
}

// isSelector reports whether s is a DKIM selector: dot-separated labels
// of letters, digits, "-" and "_", each 1 to 63 long (RFC 6376 §3.1).
func isSelector(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || strings.Trim(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			return false
		}
	}
	return true
}

// publishKeys puts each signer's key record at selector._domainkey.domain
// in the zone, unless the zones list that name: then the lesson's own
// records stand (a lesson about a wrong, revoked or missing key).
func publishKeys(z *fakedns.Zone, signers []Signer) {
	listed := make(map[string]bool)
	for _, name := range z.Names() {
		listed[fakedns.Canonical(name)] = true
	}
	for _, s := range signers {
		name := s.KeyName()
		if listed[fakedns.Canonical(name)] {
			continue
		}
		z.AddTXT(name, s.Key.Record()) // AddTXT splits it into character-strings of 255 octets
	}
}

// stepAuth loads a step's sign: (a domain or a list of domains) and
// tamper: (body or subject).
func (l *loader) stepAuth(m map[string]pair, st *DialogueStep, field string) bool {
	good := true
	if p, ok := m["sign"]; ok {
		st.signLine = p.k.Line
		items, ok := l.oneOrList(p.v, field+".sign")
		good = good && ok
		for _, item := range items {
			d, ok := l.str(item, field+".sign")
			good = good && ok
			if ok {
				st.Sign = append(st.Sign, strings.TrimSuffix(d, "."))
			}
		}
	}
	if p, ok := m["tamper"]; ok {
		st.tamperLine = p.k.Line
		t, ok := l.oneOf(p.v, field+".tamper", "a change in transit", tamperings)
		good = good && ok
		st.Tamper = t
	}
	return good
}

// signSteps makes the message each data: step sends: signed with the keys
// its sign: names, then changed as its tamper: says. It reports a sign: or
// tamper: on a step that sends no message, a key the scenario does not
// have, and a message that cannot be signed or changed.
func (l *loader) signSteps(sc *Scenario, field string) {
	for i := range sc.Dialogue {
		st := &sc.Dialogue[i]
		f := fmt.Sprintf("%s.dialogue[%d]", field, i+1)
		if st.signLine == 0 && st.tamperLine == 0 {
			continue
		}
		if st.Kind != StepData {
			at := max(st.signLine, st.tamperLine)
			l.errorf(&yaml.Node{Line: at}, f, "sign: and tamper: belong to a data: step, which sends a message")
			continue
		}
		if st.tamperLine > 0 && len(st.Sign) == 0 {
			l.errorf(&yaml.Node{Line: st.tamperLine}, f+".tamper", "the lab changes the message after signing it: give sign: too")
			continue
		}
		wire, ok := l.sign(sc, st, f)
		if !ok {
			continue
		}
		if st.Tamper != "" {
			var what string
			wire, what, ok = tamper(wire, st.Tamper)
			if !ok {
				l.errorf(&yaml.Node{Line: st.tamperLine}, f+".tamper", "%s", what)
				continue
			}
			st.Tampered = what
		}
		st.Wire = wire
	}
}

// sign signs a step's message with each key its sign: names, in order
// (the last signature on top).
func (l *loader) sign(sc *Scenario, st *DialogueStep, field string) (string, bool) {
	at := &yaml.Node{Line: st.signLine}
	hdr, err := mail.ReadMessage(strings.NewReader(st.Data))
	switch {
	case err != nil:
		l.errorf(&yaml.Node{Line: st.SourceLine}, field+".data", "a message to sign needs a header (RFC 5322 §2.1), then an empty line and the body: %v", err)
		return "", false
	case len(hdr.Header["From"]) != 1:
		l.errorf(&yaml.Node{Line: st.SourceLine}, field+".data", "a message to sign needs one From: field (RFC 6376 §5.4; RFC 5322 §3.6), it has %d", len(hdr.Header["From"]))
		return "", false
	}
	msg := []byte(st.Data)
	for _, d := range st.Sign {
		s := sc.Signer(d)
		if s == nil {
			var have []string
			for _, s := range sc.Signers {
				have = append(have, s.Domain)
			}
			why := "the scenario has no dkim: keys"
			if len(have) > 0 {
				why = "the scenario's dkim: keys are for " + strings.Join(have, ", ")
			}
			l.errorf(at, field+".sign", "no key for %q: %s", d, why)
			return "", false
		}
		signed, err := dkim.Sign(msg, dkim.SignOptions{Domain: s.Domain, Selector: s.Selector, Key: s.Key})
		if err != nil {
			l.errorf(at, field+".sign", "%v", err)
			return "", false
		}
		msg = signed
	}
	return strings.ReplaceAll(string(msg), "\r\n", "\n"), true
}

// tamper changes a signed message as a relay might, and says how in
// words; on failure, the words say why it cannot.
func tamper(msg, how string) (string, string, bool) {
	head, body, ok := strings.Cut(msg, "\n\n")
	if !ok {
		return "", "the message has no body to change", false
	}
	switch how {
	case "body":
		// The first digit, else the first letter: 1000 EUR become 2000.
		i := strings.IndexAny(body, "0123456789")
		if i < 0 {
			i = strings.IndexFunc(body, func(r rune) bool { return r < 0x80 && r|0x20 >= 'a' && r|0x20 <= 'z' })
		}
		if i < 0 {
			return "", "the body has no letter or digit to change", false
		}
		b := []byte(body)
		switch c := b[i]; {
		case c >= '0' && c <= '9':
			b[i] = '0' + (c-'0'+1)%10
		default:
			b[i] = c ^ 0x20 // the other case
		}
		start := strings.LastIndexByte(body[:i], '\n') + 1
		end := len(body)
		if j := strings.IndexByte(body[i:], '\n'); j >= 0 {
			end = i + j
		}
		return head + "\n\n" + string(b), fmt.Sprintf("in transit, one byte of the body changed after signing: %q became %q", body[start:end], string(b[start:end])), true
	case "subject":
		lines := strings.Split(head, "\n")
		for i, line := range lines {
			name, value, ok := strings.Cut(line, ":")
			if ok && strings.EqualFold(name, "Subject") {
				lines[i] = name + ": [list] " + strings.TrimLeft(value, " \t")
				return strings.Join(lines, "\n") + "\n\n" + body, fmt.Sprintf("in transit, a mailing list changed the signed Subject: %q became %q", line, lines[i]), true
			}
		}
		return "", "the message has no Subject: field to change", false
	}
	return "", fmt.Sprintf("%q is not a change the lab makes", how), false
}

// expectAuth loads the dkim: (a verdict, or a list, one per signature in
// header order) and dmarc: expectations.
func (l *loader) expectAuth(m map[string]pair, e *Expect, field string) bool {
	good := true
	if p, ok := m["dkim"]; ok {
		items, ok := l.oneOrList(p.v, field+".dkim")
		good = good && ok
		for _, item := range items {
			r, ok := l.oneOf(item, field+".dkim", "a DKIM verdict (RFC 8601 §2.7.1)", dkimResults)
			good = good && ok
			e.DKIM = append(e.DKIM, dkim.Result(r))
		}
	}
	if p, ok := m["dmarc"]; ok {
		r, ok := l.oneOf(p.v, field+".dmarc", "a DMARC result (RFC 9989 §9.2)", dmarcResults)
		good = good && ok
		e.DMARC = dmarc.Result(r)
	}
	return good
}

// applicableAuth reports dkim: and dmarc: expectations no run can meet:
// on a step that sends no message, or with a server that does not check.
func (l *loader) applicableAuth(st *DialogueStep, field string, srv Server) {
	e := &st.Expect
	for _, k := range []string{"dkim", "dmarc"} {
		if _, ok := e.Lines[k]; !ok {
			continue
		}
		at := &yaml.Node{Line: e.Lines[k]}
		switch {
		case st.Kind != StepData:
			l.errorf(at, field+".expect."+k, "the server checks DKIM and DMARC at the end of a message (data:), not at %s", st.Verb())
		case !srv.DMARC:
			l.errorf(at, field+".expect."+k, "the server does not check DKIM and DMARC: set server.dmarc: true")
		}
	}
}
