package scenarios

import (
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"spflab/dkim"
	"spflab/smtpsim"
)

// joinResults writes verdicts as a list: "pass, fail".
func joinResults(rs []dkim.Result) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// check compares what a step did with its expectations, in the order of
// expectKeys. note says why nothing was sent, if so.
func (r *Runner) check(st *Step, ds *DialogueStep, note string) []Check {
	e := &ds.Expect
	if e.empty() {
		return nil
	}
	var out []Check
	add := func(field, expected, got string, ok bool) {
		out = append(out, Check{
			Scenario: r.sc.ID, Step: st.Number, Line: e.Lines[field], Field: field,
			Expected: expected, Got: got, OK: ok,
		})
	}
	rep := st.Reply
	noReply := "no reply"
	if note != "" {
		noReply = note
	}
	if e.Code != 0 {
		if rep == nil {
			add("code", strconv.Itoa(e.Code), noReply, false)
		} else {
			add("code", strconv.Itoa(e.Code), strconv.Itoa(rep.Code), rep.Code == e.Code)
		}
	}
	if e.Enhanced != "" {
		switch {
		case rep == nil:
			add("enhanced", e.Enhanced, noReply, false)
		case rep.Enhanced == "":
			add("enhanced", e.Enhanced, "none (\""+rep.String()+"\")", false)
		default:
			add("enhanced", e.Enhanced, rep.Enhanced, rep.Enhanced == e.Enhanced)
		}
	}
	if e.Text != "" {
		if rep == nil {
			add("text", strconv.Quote(e.Text), noReply, false)
		} else {
			add("text", strconv.Quote(e.Text), strconv.Quote(rep.Text()), strings.Contains(rep.Text(), e.Text))
		}
	}
	if e.SPF != "" {
		var results []string
		for _, ev := range st.Events {
			if ev.Is(smtpsim.EventPolicy) {
				results = append(results, string(ev.SMTP.Policy.Outcome.Result))
			}
		}
		switch {
		case len(results) == 0:
			add("spf", string(e.SPF), "no SPF check", false)
		default:
			add("spf", string(e.SPF), strings.Join(results, ", then "), results[len(results)-1] == string(e.SPF))
		}
	}
	if len(e.Headers) > 0 {
		msg, found := r.storedMessage(st)
		for _, h := range e.Headers {
			if !found {
				got := "no message stored"
				if note != "" {
					got = note
				}
				add("header", strconv.Quote(h), got, false)
				continue
			}
			got, ok := hasField(msg, h)
			add("header", strconv.Quote(h), got, ok)
		}
	}
	if e.RDNS != "" {
		got := "no HELO or EHLO"
		for _, ev := range st.Events {
			if ev.Is(smtpsim.EventHELO) {
				got = ev.SMTP.HELO.Name
				if got == "" {
					got = "none"
				}
			}
		}
		add("rdns", e.RDNS, got, strings.EqualFold(got, e.RDNS))
	}
	if len(e.DKIM) > 0 {
		var got []string
		for _, ev := range st.Events {
			if ev.Is(smtpsim.EventDKIM) && ev.SMTP.DKIM.Kind == dkim.EventVerdict {
				got = append(got, string(ev.SMTP.DKIM.Result))
			}
		}
		want := joinResults(e.DKIM)
		switch {
		case len(got) == 0 && note != "":
			add("dkim", want, note, false)
		case len(got) == 0:
			add("dkim", want, "no DKIM check", false)
		default:
			add("dkim", want, strings.Join(got, ", "), strings.Join(got, ", ") == want)
		}
	}
	if e.DMARC != "" {
		got := "no DMARC check"
		if note != "" {
			got = note
		}
		for _, ev := range st.Events {
			if ev.Is(smtpsim.EventDMARCPolicy) {
				got = string(ev.SMTP.DMARCPolicy.Result)
			}
		}
		add("dmarc", string(e.DMARC), got, got == string(e.DMARC))
	}
	return out
}

// Met returns e's expectations as checks that passed, worded and ordered
// as the runner's checks: what a step shows when it went as expected, for
// a view that sizes itself before the step runs.
func (e *Expect) Met() []Check {
	var out []Check
	add := func(field, expected string) {
		out = append(out, Check{Field: field, Expected: expected, OK: true})
	}
	if e.Code != 0 {
		add("code", strconv.Itoa(e.Code))
	}
	if e.Enhanced != "" {
		add("enhanced", e.Enhanced)
	}
	if e.Text != "" {
		add("text", strconv.Quote(e.Text))
	}
	if e.SPF != "" {
		add("spf", string(e.SPF))
	}
	for _, h := range e.Headers {
		add("header", strconv.Quote(h))
	}
	if e.RDNS != "" {
		add("rdns", e.RDNS)
	}
	if len(e.DKIM) > 0 {
		add("dkim", joinResults(e.DKIM))
	}
	if e.DMARC != "" {
		add("dmarc", string(e.DMARC))
	}
	return out
}

// storedMessage returns the message the step stored.
func (r *Runner) storedMessage(st *Step) (smtpsim.Message, bool) {
	for _, ev := range st.Events {
		if ev.Is(smtpsim.EventStored) {
			return r.srv.Mailbox().Get(ev.SMTP.Stored.ID)
		}
	}
	return smtpsim.Message{}, false
}

// hasField looks for "Name" or "Name: text" in the header of a stored
// message and returns what it found.
func hasField(m smtpsim.Message, want string) (string, bool) {
	h, err := m.Header()
	if err != nil {
		return "the stored message has no readable header: " + err.Error(), false
	}
	name, text, withText := strings.Cut(want, ":")
	name = strings.TrimSpace(name)
	text = strings.TrimSpace(text)
	values := h[textproto.CanonicalMIMEHeaderKey(name)]
	if len(values) == 0 {
		var names []string
		for k := range h {
			names = append(names, k)
		}
		slices.Sort(names)
		return "no " + name + " field (the message has " + strings.Join(names, ", ") + ")", false
	}
	var shown []string
	for _, v := range values {
		if !withText || strings.Contains(v, text) {
			return strconv.Quote(name + ": " + v), true
		}
		shown = append(shown, strconv.Quote(name+": "+v))
	}
	return strings.Join(shown, " and "), false
}
