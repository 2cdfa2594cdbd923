package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"spflab/fakedns"
	"spflab/internal/budget"
	"spflab/internal/yamlnode"
	"spflab/smtpsim"
	"spflab/spf"
)

// scenario loads one scenario; index counts from 1.
func (l *loader) scenario(n *yaml.Node, index int, def *defaults) *Scenario {
	field := fmt.Sprintf("scenarios[%d]", index)
	if id := peekID(n); id != "" {
		field = id // fields are named after the scenario, from its first error
	}
	m := l.mapping(n, field, scenarioKeys)
	if m == nil {
		return nil
	}
	sc := &Scenario{File: l.file, Line: yamlnode.Deref(n).Line}
	if p, ok := m["id"]; ok {
		if id, ok := l.str(p.v, field+".id"); ok {
			switch {
			case len(id) > maxID:
				l.errorf(p.v, field+".id", "%s is %d bytes long; an id has at most %d", budget.Quote(id), len(id), maxID)
			case idPattern.MatchString(id):
				sc.ID = id
			default:
				l.errorf(p.v, field+".id", "%s is not an id: letters, digits, \".\", \"-\" and \"_\", starting with a letter or digit", budget.Quote(id))
			}
		}
	} else {
		l.errorf(n, field+".id", "missing: every scenario needs an id")
	}
	text := func(key string, required bool) string {
		p, ok := m[key]
		if !ok {
			if required {
				l.errorf(n, field+"."+key, "missing")
			}
			return ""
		}
		s, _ := l.str(p.v, field+"."+key)
		if len(s) > maxTitle && (key == "title" || key == "summary") {
			l.errorf(p.v, field+"."+key, "is %d bytes long; a %s has at most %d: put longer text in lesson:", len(s), key, maxTitle)
		}
		return s
	}
	sc.Title = text("title", true)
	sc.Summary = text("summary", true)
	if strings.ContainsAny(sc.Summary, "\r\n") {
		l.errorf(m["summary"].v, field+".summary", "is one line: put longer text in lesson:")
	}
	sc.Lesson = strings.TrimRight(text("lesson", false), "\n")

	switch p, ok := m["client"]; {
	case ok:
		sc.Client, _ = l.client(p.v, field+".client")
	case def.clientSet:
		sc.Client = def.client
	default:
		l.errorf(n, field+".client", "missing: give the client's address here or under defaults:")
	}

	spec := def.server
	if p, ok := m["server"]; ok {
		spec = spec.with(l.server(p.v, field+".server"))
	}
	sc.Server = spec.build()
	if p, ok := m["server"]; ok {
		// smtpsim checks the whole configuration once more; what it
		// refuses and the loader let through is reported here.
		if _, err := smtpsim.NewServer(sc.Server.Config(fakedns.NewZone())); err != nil {
			l.errorf(p.k, field+".server", "%v", err)
		}
	}

	var zones []zonePart
	zonesOK := true
	if p, ok := m["zones"]; ok {
		zones, zonesOK = l.zones(p.v, field+".zones")
	}
	var files []zonePart
	filesOK := true
	if p, ok := m["zonefile"]; ok {
		files, filesOK = l.zoneFiles(p.v, field+".zonefile")
	}
	if zonesOK && filesOK && def.zonesOK && def.filesOK {
		sc.Zone = l.zone(n, slices.Concat(def.zonefiles, files, def.zones, zones))
	}
	signersOK := true
	if p, ok := m["dkim"]; ok {
		errs := len(l.errs)
		sc.Signers = l.signers(p.v, field+".dkim")
		signersOK = len(l.errs) == errs
		if sc.Zone != nil {
			publishKeys(sc.Zone, sc.Signers)
		}
	}

	if p, ok := m["dialogue"]; ok {
		sc.Dialogue = l.dialogue(p.v, field+".dialogue", sc.Server)
		if signersOK { // else sign: would only repeat that a key is wrong
			l.signSteps(sc, field)
		}
	} else {
		l.errorf(n, field+".dialogue", "missing: a scenario needs a dialogue")
	}
	return sc
}

// Bounds of the one-line texts that lists show.
const (
	maxID    = 64  // bytes of an id
	maxTitle = 200 // bytes of a title or a summary
)

// peekID returns the id of a scenario mapping when it is a valid one.
func peekID(n *yaml.Node) string {
	n = yamlnode.Deref(n)
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := yamlnode.Deref(n.Content[i]), yamlnode.Deref(n.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.Value == "id" && v.Kind == yaml.ScalarNode && len(v.Value) <= maxID && idPattern.MatchString(v.Value) {
			return v.Value
		}
	}
	return ""
}

// with returns s with the fields o sets replacing s's, and o's policy
// rules over s's.
func (s serverSpec) with(o serverSpec) serverSpec {
	if o.hostname != nil {
		s.hostname = o.hostname
	}
	if o.explanation != nil {
		s.explanation = o.explanation
	}
	if o.checkAt != nil {
		s.checkAt = o.checkAt
	}
	if o.personality != nil {
		s.personality = o.personality
	}
	if o.checkHELO != nil {
		s.checkHELO = o.checkHELO
	}
	if o.senderDomainCheck != nil {
		s.senderDomainCheck = o.senderDomainCheck
	}
	if o.dmarc != nil {
		s.dmarc = o.dmarc
	}
	if len(o.policy) > 0 {
		p := make(smtpsim.Policy, len(s.policy)+len(o.policy))
		for r, rule := range s.policy {
			p[r] = rule
		}
		for r, rule := range o.policy {
			p[r] = rule
		}
		s.policy = p
	}
	s.line = o.line
	return s
}

// build returns the server with the documented defaults for what s leaves
// out: mail.example.com speaking as go-smtp, SPF checked at RCPT, no HELO
// check, unknown sender domains refused, smtpsim's default explanation and
// policy.
func (s serverSpec) build() Server {
	srv := Server{Hostname: "mail.example.com", CheckAt: smtpsim.CheckAtRCPT, SenderDomainCheck: true, Policy: s.policy}
	if s.hostname != nil {
		srv.Hostname = *s.hostname
	}
	if s.explanation != nil {
		srv.Explanation = *s.explanation
	}
	if s.checkAt != nil {
		srv.CheckAt = *s.checkAt
	}
	if s.personality != nil {
		srv.Personality = *s.personality
	}
	if s.checkHELO != nil {
		srv.CheckHELO = *s.checkHELO
	}
	if s.senderDomainCheck != nil {
		srv.SenderDomainCheck = *s.senderDomainCheck
	}
	if s.dmarc != nil {
		srv.DMARC = *s.dmarc
	}
	return srv
}

// zone builds a scenario's zone from its parts: the zone files in order
// (the defaults' first), then the default zones, then the scenario's; a
// name a later part lists replaces the records of that name in the
// earlier ones.
//
// All the zones of a file together stay within the budgets of a file's
// zones: a zone that would go over is not built.
func (l *loader) zone(n *yaml.Node, parts []zonePart) *fakedns.Zone {
	if l.overZones {
		return nil
	}
	for _, p := range parts {
		l.records += int64(p.records)
		l.text += int64(p.text)
	}
	kind := budget.ZoneRecords
	switch {
	case l.records > kind.Limit():
	case l.text > budget.ZoneText.Limit():
		kind = budget.ZoneText
	default:
		z := fakedns.NewZone()
		for _, p := range parts {
			z.Replace(p.zone)
		}
		return z
	}
	l.overZones = true
	l.errs = append(l.errs, budgetError(&budget.Error{File: l.file, Line: yamlnode.Deref(n).Line, Kind: kind,
		Detail: "the zones of the scenarios up to this one hold more"}))
	return nil
}

// dialogue loads the steps and checks that each expectation can apply.
func (l *loader) dialogue(n *yaml.Node, field string, srv Server) []DialogueStep {
	list := yamlnode.Deref(n)
	if list.Kind != yaml.SequenceNode {
		l.errorf(list, field, "want a list of steps, got %s", describe(list))
		return nil
	}
	if len(list.Content) == 0 {
		l.errorf(list, field, "the list is empty")
		return nil
	}
	steps := make([]DialogueStep, 0, len(list.Content))
	var (
		dataLine  int    // the line of a send: DATA that awaits its data: step
		dataField string // and its field
		quitLine  int    // the line of a send: QUIT
	)
	for i, item := range list.Content {
		f := fmt.Sprintf("%s[%d]", field, i+1)
		st, ok := l.step(item, f)
		if st.Kind == 0 {
			continue // not a step at all
		}
		switch {
		case st.Kind == StepSay:
			// narration may come anywhere, between DATA and its message too
		case quitLine > 0:
			l.errorf(item, f, "the session ended with QUIT at line %d: nothing more can be sent", quitLine)
		case st.Kind == StepData && dataLine == 0:
			l.errorf(item, f+".data", "a message follows a send: DATA step, and the last thing sent was not DATA")
		case st.Kind == StepSend && dataLine > 0:
			l.errorf(item, f+".send", "the DATA at line %d needs a data: step with the message first", dataLine)
		}
		if st.Kind != StepSay {
			dataLine = 0
			switch st.Verb() {
			case "DATA":
				dataLine, dataField = st.SourceLine, f
			case "QUIT":
				quitLine = st.SourceLine
			}
		}
		if ok {
			l.applicable(&st, f, srv)
			steps = append(steps, st)
		}
	}
	if dataLine > 0 {
		l.errorf(&yaml.Node{Line: dataLine}, dataField, "DATA needs a data: step with the message after it")
	}
	return steps
}

// step loads one step.
func (l *loader) step(n *yaml.Node, field string) (DialogueStep, bool) {
	m := l.mapping(n, field, stepKeys)
	if m == nil {
		return DialogueStep{}, false
	}
	st := DialogueStep{Kind: StepSay, SourceLine: yamlnode.Deref(n).Line}
	good := true
	get := func(key string) string {
		p, ok := m[key]
		if !ok {
			return ""
		}
		s, ok := l.str(p.v, field+"."+key)
		good = good && ok
		return s
	}
	st.Narration = strings.TrimRight(get("narration"), "\n")
	st.Notice = strings.TrimRight(get("notice"), "\n")
	send, hasSend := m["send"]
	data, hasData := m["data"]
	switch {
	case hasSend && hasData:
		l.errorf(data.k, field+".data", "a step either sends a line (send:) or a message (data:), not both")
		st.Kind, good = StepSend, false
	case hasSend:
		st.Kind, st.Line = StepSend, get("send")
		switch {
		case strings.ContainsAny(st.Line, "\r\n"):
			l.errorf(send.v, field+".send", "holds a line break: one line per step (a block scalar adds one; use a plain or quoted string)")
			good = false
		case st.Line == "" && good:
			l.errorf(send.v, field+".send", "is empty")
			good = false
		}
	case hasData:
		st.Kind, st.Data = StepData, get("data")
	case st.Narration == "" && st.Notice == "" && good:
		l.errorf(n, field, "does nothing: give send:, data: or narration:")
		good = false
	}
	good = l.stepAuth(m, &st, field) && good
	if p, ok := m["expect"]; ok {
		st.Expect, ok = l.expect(p.v, field+".expect")
		good = good && ok
	}
	return st, good
}

func (l *loader) expect(n *yaml.Node, field string) (Expect, bool) {
	var e Expect
	m := l.mapping(n, field, expectKeys)
	if m == nil {
		return e, false
	}
	if len(m) == 0 {
		l.errorf(n, field, "is empty: give code, enhanced, text, spf, header, rdns, dkim or dmarc, or leave it out")
		return e, false
	}
	e.Lines = make(map[string]int, len(m))
	for k, p := range m {
		e.Lines[k] = p.k.Line
	}
	good := true
	if p, ok := m["code"]; ok {
		c, ok := l.integer(p.v, field+".code")
		if ok && !validCode(c) {
			l.errorf(p.v, field+".code", "%d is not a reply code (2xx to 5xx, RFC 5321 §4.2)", c)
			ok = false
		}
		good = good && ok
		e.Code = c
	}
	if p, ok := m["enhanced"]; ok {
		s, ok := l.str(p.v, field+".enhanced")
		if ok {
			if e.Code/100 == 3 {
				l.errorf(p.v, field+".enhanced", "a %d reply never has an enhanced status code (RFC 3463 §2: classes 2, 4, 5)", e.Code)
				ok = false
			} else {
				ok = l.enhanced(p.v, field+".enhanced", s, e.Code)
			}
		}
		good = good && ok
		e.Enhanced = s
	}
	if p, ok := m["text"]; ok {
		s, ok := l.str(p.v, field+".text")
		good = good && ok
		e.Text = s
	}
	if p, ok := m["spf"]; ok {
		s, ok := l.oneOf(p.v, field+".spf", "an SPF result (RFC 7208 §2.6)", results)
		good = good && ok
		e.SPF = spf.Result(s)
	}
	if p, ok := m["header"]; ok {
		hs, ok := l.headers(p.v, field+".header")
		good = good && ok
		e.Headers = hs
	}
	if p, ok := m["rdns"]; ok {
		s, ok := l.str(p.v, field+".rdns")
		if ok && s != "none" && !smtpsim.IsHostName(s) {
			l.errorf(p.v, field+".rdns", "%s is not a host name or none", budget.Quote(s))
			ok = false
		}
		good = good && ok
		e.RDNS = s
	}
	good = l.expectAuth(m, &e, field) && good
	return e, good
}

// headers loads "Name" or "Name: text", or a list of them.
func (l *loader) headers(n *yaml.Node, field string) ([]string, bool) {
	items, ok := l.oneOrList(n, field)
	if !ok {
		return nil, false
	}
	var out []string
	good := true
	for _, item := range items {
		s, ok := l.str(item, field)
		if ok {
			name, _, _ := strings.Cut(s, ":")
			if !isFieldName(name) {
				l.errorf(item, field, "%s does not start with a header field name (printable ASCII but \":\", RFC 5322 §2.2)", budget.Quote(s))
				ok = false
			}
		}
		good = good && ok
		out = append(out, s)
	}
	return out, good
}

func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

// applicable reports expectations that no run of the step can meet.
func (l *loader) applicable(st *DialogueStep, field string, srv Server) {
	e := &st.Expect
	if e.empty() {
		return
	}
	at := func(key string) *yaml.Node { return &yaml.Node{Line: e.Lines[key]} }
	if st.Kind == StepSay {
		for _, k := range expectKeys {
			if _, ok := e.Lines[k]; ok {
				l.errorf(at(k), field+".expect."+k, "this step sends nothing, so it gets no reply to expect")
			}
		}
		return
	}
	verb := st.Verb()
	if e.SPF != "" && (st.Kind != StepSend || !srv.checks(verb)) {
		l.errorf(at("spf"), field+".expect.spf", "%s", whyNoCheck(st, verb, srv))
	}
	if len(e.Headers) > 0 {
		switch {
		case st.Kind != StepData:
			l.errorf(at("header"), field+".expect.header", "only a data: step stores a message; this step sends %s", budget.Quote(st.Line))
		case e.Code != 0 && e.Code/100 != 2:
			l.errorf(at("header"), field+".expect.header", "a message is stored only when its reply is 2xx, and this step expects %d", e.Code)
		}
	}
	if e.RDNS != "" && verb != "HELO" && verb != "EHLO" {
		l.errorf(at("rdns"), field+".expect.rdns", "the server looks the client's name up at HELO or EHLO, not at %s", describeStep(st, verb))
	}
	l.applicableAuth(st, field, srv)
}

func describeStep(st *DialogueStep, verb string) string {
	if st.Kind == StepData {
		return "the message (data:)"
	}
	return verb
}

// whyNoCheck says why a step cannot trigger an SPF check.
func whyNoCheck(st *DialogueStep, verb string, srv Server) string {
	switch {
	case st.Kind == StepData:
		return "the message (data:) never triggers an SPF check: the server checks at " + srv.CheckAt.String()
	case verb == "HELO" || verb == "EHLO":
		return "the server does not check the HELO identity here (server.check_helo is false)"
	case verb == "MAIL" || verb == "RCPT":
		return fmt.Sprintf("the server checks SPF at %s (server.check_at), so %s never triggers a check", srv.CheckAt, verb)
	}
	return fmt.Sprintf("%s never triggers an SPF check: the server checks at %s", verb, srv.CheckAt)
}
