package fakedns

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"
	"go.yaml.in/yaml/v3"
)

// ParseZoneData parses the zonedata mapping of the openspf.org test suite
// (a YAML mapping of domain names to record lists, see ZoneDataFromNode).
// file names the source in errors.
func ParseZoneData(data []byte, file string) (*Zone, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(file, err)
	}
	return ZoneDataFromNode(&doc, file)
}

// ZoneDataFromNode builds a zone from a decoded zonedata mapping: domain
// name to a list of records, each a one-key map
//
//	SPF: text         also served as TXT, unless the domain lists any TXT
//	TXT: text         or a list of strings joined with no separator; NONE: no TXT
//	A: 192.0.2.1      AAAA: 2001:db8::1
//	MX: [10, host]    PTR: host    CNAME: host
//
// or the bare word TIMEOUT (queries of the types not listed before it time
// out) or SERVFAIL (they answer SERVFAIL). An empty document is an empty
// zone. Every problem is reported, each as file:line and what is wrong,
// joined with errors.Join.
//
// The suite's other convention, that an unlisted name starting with
// "error." times out, is the zone's TimeoutErrorNames, off by default.
func ZoneDataFromNode(n *yaml.Node, file string) (*Zone, error) {
	z := NewZone()
	p := zoneParser{file: file, z: z}
	p.zonedata(n)
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return z, nil
}

type zoneParser struct {
	file string
	z    *Zone
	errs []error
}

func (p *zoneParser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%d: %s", p.file, n.Line, fmt.Sprintf(format, args...)))
}

// deref follows aliases and unwraps a document.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 100; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func (p *zoneParser) zonedata(n *yaml.Node) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "zonedata must be a mapping of domain names to lists of records")
		return
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode {
			p.errorf(n.Content[i], "a domain name must be a string")
			continue
		}
		name := k.Value
		if err := checkName(name); err != nil {
			p.errorf(k, "%q is not a domain name: %v", name, err)
			continue
		}
		if line, dup := seen[Canonical(name)]; dup {
			p.errorf(k, "domain %q is already listed at line %d", name, line)
			continue
		}
		seen[Canonical(name)] = k.Line
		p.domain(name, v)
	}
}

// domain adds the records of one domain, in order.
func (p *zoneParser) domain(name string, list *yaml.Node) {
	p.z.node(name) // a listed name exists, even with no records
	if isNull(list) {
		return
	}
	if list.Kind != yaml.SequenceNode {
		p.errorf(list, "the records of %s must be a list", name)
		return
	}
	hdr := func(t uint16) dns.RR_Header {
		// The owner in presentation form: only a backslash needs escaping
		// for the zone to find the name again (see AddRR).
		owner := dns.Fqdn(strings.ReplaceAll(name, `\`, `\\`))
		return dns.RR_Header{Name: owner, Rrtype: t, Class: dns.ClassINET, Ttl: 300}
	}
	var spfs [][]string // SPF records, to copy to TXT
	listsTXT := false
	for _, item := range list.Content {
		item = deref(item)
		if item.Kind == yaml.ScalarNode {
			switch item.Value {
			case "TIMEOUT":
				p.z.AddTimeout(name)
			case "SERVFAIL":
				p.z.AddServFail(name)
			default:
				p.errorf(item, "unknown entry %q for %s: want TIMEOUT, SERVFAIL or a one-key map like TXT: text", item.Value, name)
			}
			continue
		}
		if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
			p.errorf(item, "a record of %s must be a one-key map like TXT: text", name)
			continue
		}
		typ, val := deref(item.Content[0]), deref(item.Content[1])
		t := strings.ToUpper(typ.Value)
		switch t {
		case "SPF", "TXT":
			isTXT := t == "TXT"
			listsTXT = listsTXT || isTXT
			strs, ok := p.txt(t, val)
			if !ok || strs == nil { // NONE
				continue
			}
			if isTXT {
				p.z.AddRR(&dns.TXT{Hdr: hdr(dns.TypeTXT), Txt: strs})
			} else {
				p.z.AddRR(&dns.SPF{Hdr: hdr(dns.TypeSPF), Txt: strs})
				spfs = append(spfs, strs)
			}
		case "A", "AAAA":
			ip, err := netip.ParseAddr(scalar(val))
			switch {
			case err != nil || val.Kind != yaml.ScalarNode:
				p.errorf(val, "bad address %q in %s record of %s", scalar(val), t, name)
			case t == "A" && !ip.Is4():
				p.errorf(val, "A record of %s needs an IPv4 address, not %s", name, ip)
			case t == "AAAA" && !ip.Is6():
				p.errorf(val, "AAAA record of %s needs an IPv6 address, not %s", name, ip)
			case ip.Is4():
				p.z.AddRR(&dns.A{Hdr: hdr(dns.TypeA), A: ip.AsSlice()})
			default:
				p.z.AddRR(&dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: ip.AsSlice()})
			}
		case "MX":
			if val.Kind != yaml.SequenceNode || len(val.Content) != 2 {
				p.errorf(val, "MX record of %s must be [priority, host]", name)
				continue
			}
			prio, err := strconv.ParseUint(scalar(val.Content[0]), 10, 16)
			if err != nil {
				p.errorf(val.Content[0], "MX priority %q of %s is not a number from 0 to 65535", scalar(val.Content[0]), name)
				continue
			}
			host := scalar(val.Content[1])
			if host != "" && host != "." { // "" is the null MX (RFC 7505)
				if !p.target(val.Content[1], "MX", name) {
					continue
				}
			}
			p.z.AddRR(&dns.MX{Hdr: hdr(dns.TypeMX), Preference: uint16(prio), Mx: dns.Fqdn(host)})
		case "PTR":
			if p.target(val, "PTR", name) {
				p.z.AddRR(&dns.PTR{Hdr: hdr(dns.TypePTR), Ptr: dns.Fqdn(val.Value)})
			}
		case "CNAME":
			if p.target(val, "CNAME", name) {
				p.z.AddRR(&dns.CNAME{Hdr: hdr(dns.TypeCNAME), Target: dns.Fqdn(val.Value)})
			}
		default:
			p.errorf(typ, "unknown record type %q for %s: want SPF, TXT, A, AAAA, MX, PTR or CNAME", typ.Value, name)
		}
	}
	if !listsTXT {
		for _, strs := range spfs {
			p.z.AddRR(&dns.TXT{Hdr: hdr(dns.TypeTXT), Txt: strs})
		}
	}
}

// scalar returns the text of a scalar node, "" for anything else.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// txt returns the character-strings of an SPF or TXT value in miekg/dns
// form, split at 255 octets; nil for NONE.
func (p *zoneParser) txt(typ string, val *yaml.Node) ([]string, bool) {
	switch {
	case val.Kind == yaml.ScalarNode && val.Tag != "!!null":
		if val.Value == "NONE" {
			return nil, true
		}
		return splitTXT(val.Value), true
	case val.Kind == yaml.SequenceNode:
		strs := []string{} // an empty list is a record of no strings
		for _, s := range val.Content {
			if s = deref(s); s.Kind != yaml.ScalarNode || s.Tag == "!!null" {
				p.errorf(s, "%s record: each string of a multi-string record must be text", typ)
				return nil, false
			}
			strs = append(strs, splitTXT(s.Value)...)
		}
		return strs, true
	}
	p.errorf(val, "%s record must be a string or a list of strings", typ)
	return nil, false
}

// target checks the domain name in a PTR, CNAME or MX record.
func (p *zoneParser) target(val *yaml.Node, typ, owner string) bool {
	if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
		p.errorf(val, "%s record of %s needs a host name", typ, owner)
		return false
	}
	if err := checkName(val.Value); err != nil {
		p.errorf(val, "%s record of %s: %q is not a domain name: %v", typ, owner, val.Value, err)
		return false
	}
	return true
}

// checkName reports why name is not a domain name (RFC 1035 §2.3.4: labels
// of 1 to 63 octets, at most 255 octets in all); DNS allows any octet in a
// label (RFC 2181 §11).
func checkName(name string) error {
	switch {
	case name == "" || name == ".":
		return errors.New("empty name")
	case strings.HasPrefix(name, "."):
		return errors.New("starts with a dot")
	case strings.Contains(name, ".."):
		return errors.New("empty label")
	}
	if _, ok := dns.IsDomainName(name); !ok {
		return errors.New("a label is longer than 63 octets or the name longer than 255")
	}
	return nil
}

// yamlError rewrites a YAML syntax error "yaml: line N: msg" as
// "file:N: msg".
func yamlError(file string, err error) error {
	line, msg, ok := strings.Cut(strings.TrimPrefix(err.Error(), "yaml: line "), ": ")
	if _, aerr := strconv.Atoi(line); !ok || aerr != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return fmt.Errorf("%s:%s: %s", file, line, msg)
}
