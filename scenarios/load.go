package scenarios

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/internal/budget"
	"spflab/internal/yamlnode"
	"spflab/smtpsim"
	"spflab/spf"
)

// LoadFile loads a scenarios file, read within the budget of a lesson
// file; the zone files it names are read relative to its folder, and
// never from outside it (os.Root: no "..", no symbolic link leading out).
func LoadFile(name string) (*File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := budget.ReadAll(f, name, budget.LessonFile)
	if be := (*budget.Error)(nil); errors.As(err, &be) {
		return nil, Errors{budgetError(be)}
	}
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(filepath.Dir(name))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return Parse(data, name, root.FS())
}

// Parse loads a scenarios file from data. file names it in errors; fsys
// holds the zone files it names, by paths relative to the scenarios file's
// folder (nil refuses every zonefile entry). The error, if any, is an
// Errors listing every problem, each with its line and field.
//
// Loading stays within budgets (package internal/budget), each reported
// at the line where the file went over: the size of a lesson file, the
// nesting of its YAML and what its aliases expand to (checked before any
// alias is followed), and the records and TXT text of all its scenarios'
// zones together.
func Parse(data []byte, file string, fsys fs.FS) (*File, error) {
	if be := (*budget.Error)(nil); errors.As(budget.CheckSize(data, file, budget.LessonFile), &be) {
		return nil, Errors{budgetError(be)}
	}
	l := &loader{file: file, fsys: fsys, zonefiles: make(map[string]zonePart)}
	f := l.parse(data)
	if len(l.errs) > 0 {
		return nil, l.errs.sorted()
	}
	return f, nil
}

// budgetError is a budget's error as the loader reports it.
func budgetError(e *budget.Error) *Error {
	return &Error{File: e.File, Line: e.Line, Field: "budget", Msg: e.Msg()}
}

// Keys of each mapping, in the order the documentation lists them.
var (
	fileKeys     = []string{"defaults", "scenarios"}
	defaultsKeys = []string{"client", "server", "zones", "zonefile"}
	scenarioKeys = []string{"id", "title", "summary", "lesson", "client", "server", "zones", "zonefile", "dkim", "dialogue"}
	serverKeys   = []string{"hostname", "personality", "check_at", "check_helo", "sender_domain_check", "explanation", "policy", "dmarc"}
	ruleKeys     = []string{"action", "code", "enhanced", "text"}
	stepKeys     = []string{"narration", "send", "data", "sign", "tamper", "notice", "expect"}
	expectKeys   = []string{"code", "enhanced", "text", "spf", "header", "rdns", "dkim", "dmarc"}
	results      = []string{"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"}
	actions      = []string{"header", "accept", "tempfail", "reject"}
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

type loader struct {
	file      string
	fsys      fs.FS
	errs      Errors
	zonefiles map[string]zonePart // loaded so far, by cleaned path

	// The records and TXT octets of the scenarios' zones so far, against
	// the budgets of a file's zones; overZones once over.
	records, text int64
	overZones     bool
}

// zonePart is a zone a scenario's zone is built from (a zone file, the
// default zones, the scenario's own), with its size (Zone.Size); zone is
// nil when it failed to load.
type zonePart struct {
	zone          *fakedns.Zone
	records, text int
}

func sized(z *fakedns.Zone) zonePart {
	p := zonePart{zone: z}
	if z != nil {
		p.records, p.text = z.Size()
	}
	return p
}

// defaults is the defaults: section, shared by every scenario of a file.
type defaults struct {
	client    netip.Addr
	clientSet bool
	server    serverSpec
	zones     []zonePart // none or one
	zonesOK   bool
	zonefiles []zonePart
	filesOK   bool
}

func (l *loader) errorf(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) parse(data []byte) *File {
	dec := budget.NewYAMLDecoder(data, l.file)
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.errorf(nil, "scenarios", "the file is empty: want a mapping with scenarios:")
		} else {
			l.yamlError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.errorf(&extra, "yaml", "a second YAML document; a scenarios file holds one")
	} else if !errors.Is(err, io.EOF) {
		l.yamlError(err)
	}
	root := yamlnode.Deref(&doc)
	if yamlnode.IsNull(root) {
		l.errorf(nil, "scenarios", "the file is empty: want a mapping with scenarios:")
		return nil
	}
	m := l.mapping(root, "file", fileKeys)
	if m == nil {
		return nil
	}
	def := defaults{zonesOK: true, filesOK: true}
	if p, ok := m["defaults"]; ok {
		def = l.defaults(p.v)
	}
	f := &File{Name: l.file}
	p, ok := m["scenarios"]
	if !ok {
		l.errorf(root, "scenarios", "missing: a file needs a list of scenarios")
		return f
	}
	list := yamlnode.Deref(p.v)
	if list.Kind != yaml.SequenceNode {
		l.errorf(list, "scenarios", "want a list of scenarios, got %s", describe(list))
		return f
	}
	if len(list.Content) == 0 {
		l.errorf(list, "scenarios", "the list is empty")
	}
	ids := make(map[string]int)
	for i, n := range list.Content {
		sc := l.scenario(n, i+1, &def)
		if sc == nil || sc.ID == "" {
			continue
		}
		if line, dup := ids[sc.ID]; dup {
			l.errorf(n, fmt.Sprintf("scenarios[%d].id", i+1), "duplicate id %q (first at line %d)", sc.ID, line)
			continue
		}
		ids[sc.ID] = sc.Line
		f.Scenarios = append(f.Scenarios, sc)
	}
	return f
}

// yamlError reports a YAML syntax error, or a budget the YAML goes over,
// at its line.
func (l *loader) yamlError(err error) {
	var (
		se *budget.SyntaxError
		be *budget.Error
	)
	switch {
	case errors.As(err, &se):
		l.errs = append(l.errs, &Error{File: l.file, Line: se.Line, Field: "yaml", Msg: se.Msg})
	case errors.As(err, &be):
		l.errs = append(l.errs, budgetError(be))
	default:
		l.errs = append(l.errs, &Error{File: l.file, Field: "yaml", Msg: err.Error()})
	}
}

// pair is a key and its value in a mapping.
type pair struct{ k, v *yaml.Node }

// oneOrList returns the items of a value that may be one item or a list
// of them; an empty list is an error.
func (l *loader) oneOrList(n *yaml.Node, field string) ([]*yaml.Node, bool) {
	d := yamlnode.Deref(n)
	if d.Kind != yaml.SequenceNode {
		return []*yaml.Node{d}, true
	}
	if len(d.Content) == 0 {
		l.errorf(d, field, "the list is empty")
		return nil, false
	}
	return d.Content, true
}

// mapping checks that n is a mapping whose keys are known and given once,
// reports every other key, and returns the pairs by key; nil when n is not
// a mapping.
func (l *loader) mapping(n *yaml.Node, field string, known []string) map[string]pair {
	n = yamlnode.Deref(n)
	if n.Kind != yaml.MappingNode {
		l.errorf(n, field, "want a mapping with the keys %s; got %s", strings.Join(known, ", "), describe(n))
		return nil
	}
	m := make(map[string]pair, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kd := yamlnode.Deref(k)
		if kd.Kind != yaml.ScalarNode {
			l.errorf(k, field, "a key must be a word, not %s", describe(kd))
			continue
		}
		key := kd.Value
		sub := join(field, key)
		if key == "" {
			sub = join(field, `""`) // an empty key still names its place
		}
		switch {
		case key == "<<":
			l.errorf(k, field, "merge keys (<<) are not supported: put shared settings under defaults:")
			continue
		case !slices.Contains(known, key):
			l.errorf(k, sub, "unknown key%s (want one of %s)", suggest(key, known), strings.Join(known, ", "))
			continue
		}
		if p, dup := m[key]; dup {
			l.errorf(k, sub, "given twice (first at line %d)", p.k.Line)
			continue
		}
		m[key] = pair{k, v}
	}
	return m
}

func join(field, key string) string {
	switch {
	case key == "": // an empty key: the problem is the mapping's
		return field
	case field == "file":
		return key
	}
	return field + "." + key
}

// suggest returns ` (did you mean "x"?)` for a key one edit, swap or case
// away from a known key.
func suggest(key string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(k, key) || editDistance(strings.ToLower(key), k) <= 2 {
			return fmt.Sprintf(" %s: did you mean %q?", budget.Quote(key), k)
		}
	}
	return " " + budget.Quote(key)
}

// editDistance is the Levenshtein distance of a and b, for short words.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// str returns the text of a scalar.
func (l *loader) str(n *yaml.Node, field string) (string, bool) {
	n = yamlnode.Deref(n)
	switch {
	case yamlnode.IsNull(n):
		l.errorf(n, field, "no value: give one or leave the key out")
	case n.Kind != yaml.ScalarNode:
		l.errorf(n, field, "want text, got %s", describe(n))
	default:
		return n.Value, true
	}
	return "", false
}

// integer returns the value of an integer scalar.
func (l *loader) integer(n *yaml.Node, field string) (int, bool) {
	n = yamlnode.Deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.Atoi(n.Value); err == nil {
			return v, true
		}
	}
	l.errorf(n, field, "want a whole number, got %s", describe(n))
	return 0, false
}

// boolean returns the value of true or false.
func (l *loader) boolean(n *yaml.Node, field string) (bool, bool) {
	n = yamlnode.Deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		if v, err := strconv.ParseBool(n.Value); err == nil {
			return v, true
		}
	}
	l.errorf(n, field, "want true or false, got %s", describe(n))
	return false, false
}

// oneOf returns a scalar that must be one of words.
func (l *loader) oneOf(n *yaml.Node, field, what string, words []string) (string, bool) {
	s, ok := l.str(n, field)
	if !ok {
		return "", false
	}
	if !slices.Contains(words, s) {
		l.errorf(n, field, "%s is not %s (want one of %s)", budget.Quote(s), what, strings.Join(words, ", "))
		return "", false
	}
	return s, true
}

// describe names what a node is, for errors.
func describe(n *yaml.Node) string {
	switch {
	case yamlnode.IsNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "the number " + v
	case "!!bool":
		return v
	}
	return strconv.Quote(v)
}

func (l *loader) defaults(n *yaml.Node) defaults {
	d := defaults{zonesOK: true, filesOK: true}
	m := l.mapping(n, "defaults", defaultsKeys)
	if m == nil {
		return d
	}
	if p, ok := m["client"]; ok {
		d.client, d.clientSet = l.client(p.v, "defaults.client")
	}
	if p, ok := m["server"]; ok {
		d.server = l.server(p.v, "defaults.server")
	}
	if p, ok := m["zones"]; ok {
		d.zones, d.zonesOK = l.zones(p.v, "defaults.zones")
	}
	if p, ok := m["zonefile"]; ok {
		d.zonefiles, d.filesOK = l.zoneFiles(p.v, "defaults.zonefile")
	}
	return d
}

// client parses a client address: IPv4, or IPv6 without a zone.
func (l *loader) client(n *yaml.Node, field string) (netip.Addr, bool) {
	s, ok := l.str(n, field)
	if !ok {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		l.errorf(n, field, "%s is not an IPv4 or IPv6 address", budget.Quote(s))
	case ip.Zone() != "":
		l.errorf(n, field, "%s has a zone (%%%s); XCLIENT takes an address without one", budget.Quote(s), ip.Zone())
	case ip.Is4In6():
		l.errorf(n, field, "%s is an IPv4-mapped IPv6 address: write the IPv4 address %s", budget.Quote(s), ip.Unmap())
	case ip.IsUnspecified():
		l.errorf(n, field, "%s is the unspecified address: a client needs a real one", budget.Quote(s))
	default:
		return ip, true
	}
	return netip.Addr{}, false
}

// serverSpec is a server: section; nil fields were not given.
type serverSpec struct {
	hostname, explanation        *string
	checkAt                      *smtpsim.CheckPoint
	checkHELO, senderDomainCheck *bool
	personality                  *smtpsim.Personality
	dmarc                        *bool
	policy                       smtpsim.Policy
	line                         int
}

func (l *loader) server(n *yaml.Node, field string) serverSpec {
	s := serverSpec{line: yamlnode.Deref(n).Line}
	m := l.mapping(n, field, serverKeys)
	if m == nil {
		return s
	}
	if p, ok := m["hostname"]; ok {
		if h, ok := l.str(p.v, field+".hostname"); ok {
			if smtpsim.IsHostName(h) {
				s.hostname = &h
			} else {
				l.errorf(p.v, field+".hostname", "%s is not a host name (labels of letters, digits and \"-\", separated by dots)", budget.Quote(h))
			}
		}
	}
	if p, ok := m["personality"]; ok {
		var names []string
		for _, x := range smtpsim.Personalities() {
			names = append(names, x.String())
		}
		if w, ok := l.oneOf(p.v, field+".personality", "a server personality", names); ok {
			x, _ := smtpsim.ParsePersonality(w)
			s.personality = &x
		}
	}
	if p, ok := m["check_at"]; ok {
		if w, ok := l.oneOf(p.v, field+".check_at", "a command where SPF is checked", []string{"mail", "rcpt"}); ok {
			cp := smtpsim.CheckAtRCPT
			if w == "mail" {
				cp = smtpsim.CheckAtMAIL
			}
			s.checkAt = &cp
		}
	}
	if p, ok := m["check_helo"]; ok {
		if b, ok := l.boolean(p.v, field+".check_helo"); ok {
			s.checkHELO = &b
		}
	}
	if p, ok := m["sender_domain_check"]; ok {
		if b, ok := l.boolean(p.v, field+".sender_domain_check"); ok {
			s.senderDomainCheck = &b
		}
	}
	if p, ok := m["dmarc"]; ok {
		if b, ok := l.boolean(p.v, field+".dmarc"); ok {
			s.dmarc = &b
		}
	}
	if p, ok := m["explanation"]; ok {
		if e, ok := l.str(p.v, field+".explanation"); ok {
			if strings.ContainsAny(e, "\r\n") {
				l.errorf(p.v, field+".explanation", "has a line break; a reply is one line")
			} else {
				s.explanation = &e
			}
		}
	}
	if p, ok := m["policy"]; ok {
		s.policy = l.policy(p.v, field+".policy")
	}
	return s
}

// policy parses result: action or result: {action, code, enhanced, text}.
func (l *loader) policy(n *yaml.Node, field string) smtpsim.Policy {
	m := l.mapping(n, field, results)
	if m == nil {
		return nil
	}
	pol := smtpsim.Policy{}
	for _, r := range results {
		p, ok := m[r]
		if !ok {
			continue
		}
		if rule, ok := l.rule(p.v, field+"."+r); ok {
			pol[spf.Result(r)] = rule
		}
	}
	return pol
}

func (l *loader) rule(n *yaml.Node, field string) (smtpsim.Rule, bool) {
	n = yamlnode.Deref(n)
	if n.Kind == yaml.ScalarNode {
		a, ok := l.oneOf(n, field, "an action", actions)
		return smtpsim.Rule{Action: action(a)}, ok
	}
	m := l.mapping(n, field, ruleKeys)
	if m == nil {
		return smtpsim.Rule{}, false
	}
	p, ok := m["action"]
	if !ok {
		l.errorf(n, field+".action", "missing (want one of %s)", strings.Join(actions, ", "))
		return smtpsim.Rule{}, false
	}
	a, ok := l.oneOf(p.v, field+".action", "an action", actions)
	if !ok {
		return smtpsim.Rule{}, false
	}
	rule := smtpsim.Rule{Action: action(a)}
	good := true
	if !rule.Action.Refuses() {
		for _, k := range []string{"code", "enhanced", "text"} {
			if q, ok := m[k]; ok {
				l.errorf(q.k, field+"."+k, "action %s sends no reply of its own: a code or text applies only to tempfail and reject", a)
				good = false
			}
		}
		return rule, good
	}
	class := 5
	if rule.Action == smtpsim.ActionTempFail {
		class = 4
	}
	if q, ok := m["code"]; ok {
		c, ok := l.integer(q.v, field+".code")
		switch {
		case !ok:
			good = false
		case c/100 != class || !validCode(c):
			l.errorf(q.v, field+".code", "%d is not a %dxx reply code, which %s needs", c, class, a)
			good = false
		default:
			rule.Code = c
		}
	}
	if q, ok := m["enhanced"]; ok {
		e, ok := l.str(q.v, field+".enhanced")
		code := rule.Code
		if code == 0 {
			code = class * 100
		}
		if ok && !l.enhanced(q.v, field+".enhanced", e, code) {
			ok = false
		}
		good = good && ok
		rule.Enhanced = e
	}
	if q, ok := m["text"]; ok {
		t, ok := l.str(q.v, field+".text")
		if ok && strings.ContainsAny(t, "\r\n") {
			l.errorf(q.v, field+".text", "has a line break; a reply is kept on one line")
			ok = false
		}
		good = good && ok
		rule.Text = t
	}
	return rule, good
}

func action(name string) smtpsim.Action {
	return smtpsim.Action(slices.Index(actions, name) + 1)
}

// validCode reports whether c is a reply code of RFC 5321 §4.2: 2xx to
// 5xx, second digit 0 to 5.
func validCode(c int) bool {
	return c >= 200 && c <= 559 && c%100/10 <= 5
}

// enhanced checks an enhanced status code (RFC 3463 §2: class.subject.detail,
// class 2, 4 or 5, subject and detail 1 to 3 digits) against a reply code
// (0: none).
func (l *loader) enhanced(n *yaml.Node, field, e string, code int) bool {
	parts := strings.Split(e, ".")
	ok := len(parts) == 3 && len(parts[0]) == 1 && strings.Contains("245", parts[0])
	for _, p := range parts[1:] {
		ok = ok && len(p) >= 1 && len(p) <= 3 && strings.Trim(p, "0123456789") == ""
	}
	if !ok {
		l.errorf(n, field, "%s is not an enhanced status code like 5.7.23 (RFC 3463 §2)", budget.Quote(e))
		return false
	}
	if c := code / 100; code != 0 && strconv.Itoa(c) != parts[0] {
		l.errorf(n, field, "%s can never come with a %d reply: the class must be %d (RFC 3463 §2)", e, code, c)
		return false
	}
	return true
}

// zones loads an inline zonedata mapping.
func (l *loader) zones(n *yaml.Node, field string) ([]zonePart, bool) {
	d := yamlnode.Deref(n)
	if yamlnode.IsNull(d) {
		l.errorf(d, field, "no value: give a mapping of domain names to records or leave the key out")
		return nil, false
	}
	if d.Kind != yaml.MappingNode {
		l.errorf(d, field, "want a mapping of domain names to lists of records, got %s", describe(d))
		return nil, false
	}
	z, err := zonedata.FromNode(d, l.file)
	if err != nil {
		l.zoneErrors(err, field)
		return nil, false
	}
	return []zonePart{sized(z)}, true
}

// zoneErrors reports fakedns's "file:line: msg" errors as the loader's.
func (l *loader) zoneErrors(err error, field string) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		msg, line := e.Error(), 0
		if rest, ok := strings.CutPrefix(msg, l.file+":"); ok {
			if num, m, ok := strings.Cut(rest, ": "); ok {
				if n, err := strconv.Atoi(num); err == nil {
					line, msg = n, m
				}
			}
		}
		l.errs = append(l.errs, &Error{File: l.file, Line: line, Field: field, Msg: msg})
	}
}

// zoneFiles loads a zonefile: entry, a path or a list of paths.
func (l *loader) zoneFiles(n *yaml.Node, field string) ([]zonePart, bool) {
	items, ok := l.oneOrList(n, field)
	if !ok {
		return nil, false
	}
	var zones []zonePart
	good := true
	for i, item := range items {
		f := field
		if yamlnode.Deref(n).Kind == yaml.SequenceNode {
			f = fmt.Sprintf("%s[%d]", field, i+1)
		}
		z, ok := l.zoneFile(item, f)
		good = good && ok
		if ok {
			zones = append(zones, z)
		}
	}
	return zones, good
}

// zoneFile loads one zone file: a regular file inside the scenarios
// file's folder, not a symbolic link, read within the budgets of a zone
// file (fakedns.LoadZoneFile).
func (l *loader) zoneFile(n *yaml.Node, field string) (zonePart, bool) {
	p, ok := l.str(n, field)
	if !ok {
		return zonePart{}, false
	}
	clean := path.Clean(filepath.ToSlash(p))
	if !fs.ValidPath(clean) || clean == "." {
		l.errorf(n, field, "%s must be a path relative to the scenarios file's folder, inside it", budget.Quote(p))
		return zonePart{}, false
	}
	if l.fsys == nil {
		l.errorf(n, field, "%s: this scenarios file cannot read zone files", budget.Quote(p))
		return zonePart{}, false
	}
	if z, seen := l.zonefiles[clean]; seen {
		if z.zone == nil {
			l.errorf(n, field, "%s could not be loaded (see above)", budget.Quote(p))
		}
		return z, z.zone != nil
	}
	z, err := l.loadZoneFile(clean, p)
	if err != nil {
		l.errorf(n, field, "%v", err)
	}
	zf := sized(z)
	l.zonefiles[clean] = zf
	return zf, z != nil
}

func (l *loader) loadZoneFile(clean, p string) (*fakedns.Zone, error) {
	var info fs.FileInfo
	var err error
	if lfs, ok := l.fsys.(fs.ReadLinkFS); ok {
		info, err = lfs.Lstat(clean)
	} else {
		info, err = fs.Stat(l.fsys, clean)
	}
	switch {
	case err != nil:
		return nil, err
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%s is a symbolic link: name the file it points to, inside the scenarios file's folder", budget.Quote(p))
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", budget.Quote(p))
	}
	f, err := l.fsys.Open(clean)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return fakedns.LoadZoneFile(f, p, ".")
}
