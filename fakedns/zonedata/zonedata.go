// Package zonedata reads the zonedata format of the openspf.org test
// suite, which spflab's lessons use too: a YAML mapping of domain names to
// lists of records, built into a fakedns.Zone.
//
//	example.com:
//	  - SPF: v=spf1 a -all     also served as TXT, unless the domain lists any TXT
//	  - TXT: text              or a list of strings joined with no separator; NONE: no TXT
//	  - A: 192.0.2.1           AAAA: 2001:db8::1
//	  - MX: [10, host]         PTR: host    CNAME: host
//	  - TIMEOUT                queries of the types not listed before it time out
//	                           (SERVFAIL: they answer SERVFAIL)
//
// Every problem is reported as file:line and what is wrong. The YAML stays
// in this package and the loaders of lessons and suites: the zone it
// builds speaks plain values.
//
// Loading stays within budgets (package internal/budget), each error
// naming the line where the input went over: the size of a file, the
// nesting of the YAML and what its aliases expand to, the records and TXT
// text of the zone.
package zonedata

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"spflab/fakedns"
	"spflab/internal/budget"
	"spflab/internal/yamlnode"
)

// Parse builds a zone from a YAML document holding a zonedata mapping; an
// empty document is an empty zone. file names the source in errors.
func Parse(data []byte, file string) (*fakedns.Zone, error) {
	if err := budget.CheckSize(data, file, budget.ZoneDataFile); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := budget.NewYAMLDecoder(data, file).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return FromNode(&doc, file)
}

// FromNode builds a zone from a zonedata mapping inside a YAML document
// that a loader decoded (a lesson's zones:, a suite's zonedata:), so that
// errors give the lines of that document. Every problem is reported, each
// as file:line and what is wrong, joined with errors.Join.
//
// The suite's other convention, that an unlisted name starting with
// "error." times out, is the zone's TimeoutErrorNames, off by default.
//
// The tree is checked against the YAML budgets (budget.CheckYAML) before
// any alias is followed.
func FromNode(n *yaml.Node, file string) (*fakedns.Zone, error) {
	if err := budget.CheckYAML(n, file); err != nil {
		return nil, err
	}
	p := parser{file: file, z: fakedns.NewZone(), maxRecords: budget.ZoneRecords.Limit(), maxText: budget.ZoneText.Limit()}
	p.zonedata(n)
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return p.z, nil
}

// LoadFile reads the zone of a file given on the command line (--zone):
// zonedata YAML when its name ends in .yml or .yaml, else a BIND master
// file (fakedns.LoadZoneFile) whose origin is origin.
// Each file is read within its budget (budget.ZoneDataFile, ZoneFile).
func LoadFile(path, origin string) (*fakedns.Zone, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yml", ".yaml":
		data, err := budget.ReadAll(f, path, budget.ZoneDataFile)
		if err != nil {
			return nil, err
		}
		return Parse(data, path)
	}
	return fakedns.LoadZoneFile(f, path, origin)
}

type parser struct {
	file string
	z    *fakedns.Zone
	errs []error

	records, text       int64 // added so far
	maxRecords, maxText int64
	over                bool // a budget is spent: add nothing more
}

// count counts a record of text octets of TXT at n against the budgets;
// false, once reported, when it goes over.
func (p *parser) count(n *yaml.Node, text int) bool {
	if p.over {
		return false
	}
	p.records++
	p.text += int64(text)
	kind := budget.ZoneRecords
	switch {
	case p.records > p.maxRecords:
	case p.text > p.maxText:
		kind = budget.ZoneText
	default:
		return true
	}
	p.over = true
	p.errs = append(p.errs, &budget.Error{File: p.file, Line: n.Line, Kind: kind, Detail: "the records up to this one hold more"})
	return false
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%d: %s", p.file, n.Line, fmt.Sprintf(format, args...)))
}

func (p *parser) zonedata(n *yaml.Node) {
	n = yamlnode.Deref(n)
	if yamlnode.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "zonedata must be a mapping of domain names to lists of records")
		return
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := yamlnode.Deref(n.Content[i]), yamlnode.Deref(n.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode {
			p.errorf(n.Content[i], "a domain name must be a string")
			continue
		}
		name := k.Value
		if err := checkName(name); err != nil {
			p.errorf(k, "%s is not a domain name: %v", budget.Quote(name), err)
			continue
		}
		if line, dup := seen[fakedns.Canonical(name)]; dup {
			p.errorf(k, "domain %q is already listed at line %d", name, line)
			continue
		}
		seen[fakedns.Canonical(name)] = k.Line
		if (yamlnode.IsNull(v) || len(v.Content) == 0) && !p.count(k, 0) { // a name without records counts as one
			return
		}
		p.domain(name, v)
	}
}

// domain adds the records of one domain, in order.
func (p *parser) domain(name string, list *yaml.Node) {
	p.z.AddName(name) // a listed name exists, even with no records
	if yamlnode.IsNull(list) {
		return
	}
	if list.Kind != yaml.SequenceNode {
		p.errorf(list, "the records of %s must be a list", name)
		return
	}
	if most := budget.NameRecords.Limit(); int64(len(list.Content)) > most {
		p.errs = append(p.errs, &budget.Error{File: p.file, Line: list.Content[most].Line, Kind: budget.NameRecords,
			Detail: fmt.Sprintf("%s lists %d", name, len(list.Content))})
		return
	}
	var spfs [][]string // SPF records, to copy to TXT
	listsTXT := false
	for _, item := range list.Content {
		item = yamlnode.Deref(item)
		if !p.count(item, textLen(item)) {
			return
		}
		if item.Kind == yaml.ScalarNode {
			switch item.Value {
			case "TIMEOUT":
				p.z.AddTimeout(name)
			case "SERVFAIL":
				p.z.AddServFail(name)
			default:
				p.errorf(item, "unknown entry %s for %s: want TIMEOUT, SERVFAIL or a one-key map like TXT: text", budget.Quote(item.Value), name)
			}
			continue
		}
		if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
			p.errorf(item, "a record of %s must be a one-key map like TXT: text", name)
			continue
		}
		typ, val := yamlnode.Deref(item.Content[0]), yamlnode.Deref(item.Content[1])
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
				p.z.AddTXT(name, strs...)
			} else {
				p.z.AddSPF(name, strs...)
				spfs = append(spfs, strs)
			}
		case "A", "AAAA":
			ip, err := netip.ParseAddr(scalar(val))
			switch {
			case err != nil || val.Kind != yaml.ScalarNode:
				p.errorf(val, "bad address %s in %s record of %s", budget.Quote(scalar(val)), t, name)
			case t == "A" && !ip.Is4():
				p.errorf(val, "A record of %s needs an IPv4 address, not %s", name, ip)
			case t == "AAAA" && !ip.Is6():
				p.errorf(val, "AAAA record of %s needs an IPv6 address, not %s", name, ip)
			default:
				p.z.AddAddr(name, ip)
			}
		case "MX":
			if val.Kind != yaml.SequenceNode || len(val.Content) != 2 {
				p.errorf(val, "MX record of %s must be [priority, host]", name)
				continue
			}
			prio, err := strconv.ParseUint(scalar(val.Content[0]), 10, 16)
			if err != nil {
				p.errorf(val.Content[0], "MX priority %s of %s is not a number from 0 to 65535", budget.Quote(scalar(val.Content[0])), name)
				continue
			}
			host := scalar(val.Content[1])
			if host != "" && host != "." { // "" is the null MX (RFC 7505)
				if !p.target(val.Content[1], "MX", name) {
					continue
				}
			}
			p.z.AddMX(name, uint16(prio), host)
		case "PTR":
			if p.target(val, "PTR", name) {
				p.z.AddPTR(name, val.Value)
			}
		case "CNAME":
			// '' or "." is the root, as other implementations' suites
			// write it (pyspf's test.yml: a "null CNAME").
			if host := scalar(val); host == "" || host == "." {
				if val.Kind == yaml.ScalarNode {
					p.z.AddCNAME(name, ".")
					continue
				}
			}
			if p.target(val, "CNAME", name) {
				p.z.AddCNAME(name, val.Value)
			}
		default:
			p.errorf(typ, "unknown record type %s for %s: want SPF, TXT, A, AAAA, MX, PTR or CNAME", budget.Quote(typ.Value), name)
		}
	}
	if !listsTXT {
		for _, strs := range spfs {
			n := 0
			for _, s := range strs {
				n += len(s)
			}
			if !p.count(list, n) {
				return
			}
			p.z.AddTXT(name, strs...)
		}
	}
}

// textLen returns the octets of text in a record entry's value.
func textLen(item *yaml.Node) int {
	if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
		return 0
	}
	val := yamlnode.Deref(item.Content[1])
	n := len(scalar(val))
	if val != nil && val.Kind == yaml.SequenceNode {
		for _, s := range val.Content {
			n += len(scalar(yamlnode.Deref(s)))
		}
	}
	return n
}

// scalar returns the text of a scalar node, "" for anything else.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// txt returns the strings of an SPF or TXT value; nil for NONE.
func (p *parser) txt(typ string, val *yaml.Node) ([]string, bool) {
	switch {
	case val.Kind == yaml.ScalarNode && val.Tag != "!!null":
		if val.Value == "NONE" {
			return nil, true
		}
		return []string{val.Value}, true
	case val.Kind == yaml.SequenceNode:
		strs := []string{} // an empty list is a record of no strings
		for _, s := range val.Content {
			if s = yamlnode.Deref(s); s.Kind != yaml.ScalarNode || s.Tag == "!!null" {
				p.errorf(s, "%s record: each string of a multi-string record must be text", typ)
				return nil, false
			}
			strs = append(strs, s.Value)
		}
		return strs, true
	}
	p.errorf(val, "%s record must be a string or a list of strings", typ)
	return nil, false
}

// target checks the domain name in a PTR, CNAME or MX record.
func (p *parser) target(val *yaml.Node, typ, owner string) bool {
	if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
		p.errorf(val, "%s record of %s needs a host name", typ, owner)
		return false
	}
	if err := checkName(val.Value); err != nil {
		p.errorf(val, "%s record of %s: %s is not a domain name: %v", typ, owner, budget.Quote(val.Value), err)
		return false
	}
	return true
}

// checkName reports why name, a string of octets with an optional
// trailing dot, is not a domain name (RFC 1035 §2.3.4: labels of 1 to 63
// octets, at most 255 octets in all on the wire); DNS allows any octet in
// a label (RFC 2181 §11).
func checkName(name string) error {
	switch {
	case name == "" || name == ".":
		return errors.New("empty name")
	case strings.HasPrefix(name, "."):
		return errors.New("starts with a dot")
	case strings.Contains(name, ".."):
		return errors.New("empty label")
	}
	name = strings.TrimSuffix(name, ".")
	for label := range strings.SplitSeq(name, ".") {
		if len(label) > 63 {
			return errors.New("a label is longer than 63 octets")
		}
	}
	if len(name)+2 > 255 { // a length octet before the first label, the root's after the last
		return errors.New("longer than 255 octets")
	}
	return nil
}
