package tui

import (
	"fmt"
	"slices"
	"strings"

	"spflab/smtpsim"
	"spflab/spf"
)

// entry is one event of a dialogue as the panes show it.
type entry struct {
	ev    *smtpsim.Event // nil for a note
	note  string         // the runner's note, when ev is nil
	lab   bool           // the lab's machinery, not the lesson
	step  int            // the dialogue step that caused it, from 1; 0 for none
	typed bool           // caused by a line the learner typed
	group int            // the position of the step in the run (Step.Index), -1 in the monitor
}

// transcript is the events of a dialogue in order, with the position of
// every reply: the lab's lessons and the monitor's sessions both keep one.
type transcript struct {
	entries []entry
	replies []int // index in entries of each reply
}

func (t *transcript) add(e entry) {
	if e.ev != nil && e.ev.Kind == smtpsim.EventReply {
		t.replies = append(t.replies, len(t.entries))
	}
	t.entries = append(t.entries, e)
}

// trace returns the events behind reply k: those after the previous
// reply, up to and including reply k.
func (t *transcript) trace(k int) []entry {
	if k < 0 || k >= len(t.replies) {
		return nil
	}
	from := 0
	if k > 0 {
		from = t.replies[k-1] + 1
	}
	return t.entries[from : t.replies[k]+1]
}

// spfReply returns the last reply with an SPF evaluation behind it, -1
// for none.
func (t *transcript) spfReply() int {
	for k := len(t.replies) - 1; k >= 0; k-- {
		for _, e := range t.trace(k) {
			if e.ev != nil && e.ev.Kind == smtpsim.EventSPF {
				return k
			}
		}
	}
	return -1
}

// lastSPF returns the policy decision of the last SPF check before reply
// k, and the reply that carried it, or nil.
func (t *transcript) lastSPF(k int) (*smtpsim.Decision, *entry) {
	if k < 0 || k >= len(t.replies) {
		return nil, nil
	}
	for i := t.replies[k]; i >= 0; i-- {
		if e := t.entries[i].ev; e != nil && e.Kind == smtpsim.EventPolicy {
			for j := i; j < len(t.entries); j++ {
				if r := t.entries[j].ev; r != nil && r.Kind == smtpsim.EventReply {
					return e.Policy, &t.entries[j]
				}
			}
			return e.Policy, nil
		}
	}
	return nil, nil
}

const smtpGutter = 4

// smtpRows renders the dialogue as on the wire: C: and S: lines, the lab's
// lines marked, the reply selected marked.
func (t *transcript) smtpRows(th *theme, selected int) []row {
	rows := make([]row, 0, len(t.entries))
	lastStep, k := 0, 0 // the step of the last client line, the replies so far
	for i := range t.entries {
		e := &t.entries[i]
		gut := seg{}
		switch {
		case e.lab:
			gut = seg{"lab", th.lab}
		case e.typed && e.ev != nil && e.ev.Kind == smtpsim.EventClientLine:
			gut = seg{"you", th.accent}
		case e.step > 0 && e.step != lastStep && e.ev != nil && e.ev.Kind == smtpsim.EventClientLine:
			gut = seg{fmt.Sprintf("%3d", e.step), th.dim}
			if th.presenter && len(rows) > 0 {
				rows = append(rows, row{reply: -1})
			}
			lastStep = e.step
		}
		if e.ev == nil {
			rows = append(rows, row{gutter: gut, segs: []seg{{"note: " + e.note, th.dim}}, reply: -1})
			continue
		}
		ev := e.ev
		textPaint := th.text
		if e.lab {
			textPaint = th.lab
		}
		switch ev.Kind {
		case smtpsim.EventClientLine:
			if ev.InData { // a line of the message: quieter than the commands
				textPaint = th.dim
			}
			rows = append(rows, row{gutter: gut, segs: []seg{{"C: ", th.dim}, {ev.Line, textPaint}}, reply: -1, hang: 3})
		case smtpsim.EventReply:
			rows = append(rows, replyRows(th, ev.Reply, k, k == selected, e.lab)...)
			k++
		case smtpsim.EventConnect, smtpsim.EventXClient, smtpsim.EventClose, smtpsim.EventOmitted:
			rows = append(rows, row{gutter: gut, segs: wordSegs(th, ev.Words()), reply: -1})
		case smtpsim.EventPolicy, smtpsim.EventDMARCPolicy:
			// At narrow widths, the result, the identity and the action;
			// the SPF pane has the rest.
			rows = append(rows, row{segs: append([]seg{{"  ", th.dim}}, wordSegs(th, ev.Words())...), reply: -1, hang: 4, short: 4})
		}
	}
	return rows
}

// replyRows renders a reply, one row per line, the code painted by its
// class and the enhanced code with it.
func replyRows(th *theme, rep *smtpsim.Reply, k int, selected, lab bool) []row {
	text, num := th.replyPaints(rep.Code)
	if lab {
		text = th.lab
	}
	lines := strings.Split(rep.String(), "\n")
	rows := make([]row, 0, len(lines))
	for j, l := range lines {
		r := row{reply: k, hang: 3}
		switch {
		case selected && j == 0:
			r.gutter = seg{"  ▶", th.selected}
		case lab && j == 0:
			r.gutter = seg{"lab", th.lab}
		}
		code, rest := l, ""
		if len(l) > 3 {
			code, rest = l[:3], l[3:]
		}
		r.segs = []seg{{"S: ", th.dim}, {code, num}}
		if j == len(lines)-1 && rep.Enhanced != "" && strings.HasPrefix(rest, " "+rep.Enhanced) {
			r.segs = append(r.segs, seg{" ", text}, seg{rep.Enhanced, num})
			rest = rest[1+len(rep.Enhanced):]
		}
		r.segs = append(r.segs, seg{rest, text})
		rows = append(rows, r)
	}
	return rows
}

// spfRows renders what the server did behind reply k: its own DNS
// lookups, the HELO check, every step of the SPF evaluation as a tree, the
// policy's decision, the DKIM and DMARC steps at the end of a message and
// the header fields it added. It returns the rows and the counters after
// the evaluation, nil when there was none. The term that decided, the
// result and the header fields of fields (in the form of
// scenarios.Expect.Headers) are rows that must be in view.
func (t *transcript) spfRows(th *theme, k int, fields []string) ([]row, *spf.Counters) {
	trace := t.trace(k)
	if len(trace) == 0 {
		return []row{plainRow(th.dim, "No reply yet.")}, nil
	}
	rep := trace[len(trace)-1].ev
	var rows []row
	add := func(segs ...seg) { rows = append(rows, row{segs: segs, reply: -1, hang: 4}) }
	// The identity checked comes with the policy's decision, after the
	// evaluation: look ahead for it.
	var decision *smtpsim.Decision
	for i := range trace {
		if ev := trace[i].ev; ev != nil && ev.Kind == smtpsim.EventPolicy {
			decision = ev.Policy
		}
	}

	var counters *spf.Counters
	sawSPF := false
	decided, result := -1, -1 // the rows of the last evaluation's decision
	for i := range trace {
		ev := trace[i].ev
		if ev == nil {
			continue
		}
		switch ev.Kind {
		case smtpsim.EventDNS, smtpsim.EventHELO, smtpsim.EventHeader, smtpsim.EventStored, smtpsim.EventXClient:
			add(wordSegs(th, ev.Words())...)
			if ev.Kind == smtpsim.EventHeader && slices.ContainsFunc(fields, func(f string) bool { return fieldIs(ev.Field, f) }) {
				rows[len(rows)-1].inView = viewMust
			}
		case smtpsim.EventSPF:
			if !sawSPF {
				sawSPF = true
				if len(rows) > 0 {
					rows = append(rows, row{reply: -1})
				}
				if d := decision; d != nil {
					add(wordSegs(th, d.IdentityWords())...)
				}
			}
			counters = &ev.SPF.Counters
			switch e := ev.SPF; {
			case e.Depth != 0:
			case e.Kind == spf.EventCheck:
				decided, result = -1, -1
			case decides(e):
				decided = len(rows)
			case e.Kind == spf.EventResult:
				result = len(rows)
			}
			for _, r := range spfEventRows(th, ev.SPF) {
				r.at = counters
				rows = append(rows, r)
			}
		case smtpsim.EventPolicy:
			rows = append(rows, row{reply: -1}, row{segs: wordSegs(th, ev.Words()), reply: -1, hang: 4, inView: viewNice})
		case smtpsim.EventDKIM, smtpsim.EventDMARC, smtpsim.EventDMARCPolicy:
			add(wordSegs(th, ev.Words())...)
		}
	}
	for _, i := range []int{decided, result} {
		if i >= 0 {
			rows[i].inView = viewMust
		}
	}
	if !sawSPF {
		if len(rows) > 0 {
			rows = append(rows, row{reply: -1})
		}
		rows = append(rows, plainRow(th.dim, "No SPF check behind this reply."))
		if d, at := t.lastSPF(k); d != nil && at != nil && at.ev != rep {
			r := string(d.Outcome.Result)
			where := "at " + d.At
			if at.step > 0 {
				where += fmt.Sprintf(" (step %d)", at.step)
			}
			rows = append(rows, row{segs: []seg{{"The last one: ", th.dim}, {r, th.resultPaint(r)}, {" " + where + ".", th.dim}}, reply: -1})
		}
	}
	return rows, counters
}

// fieldIs reports whether f is the header field want names: "Name", or
// "Name: text" for a field of that name whose value holds text, as in
// scenarios.Expect.Headers.
func fieldIs(f *smtpsim.Field, want string) bool {
	name, text, _ := strings.Cut(want, ":")
	return strings.EqualFold(f.Name, strings.TrimSpace(name)) && strings.Contains(f.Value, strings.TrimSpace(text))
}

// decides reports whether an event of check_host() at the top level is
// the one that gave the result: a mechanism that matched, a term that
// stopped the evaluation, the default neutral, a redirect, or a record
// that was not found or not usable.
func decides(e *spf.Event) bool {
	switch e.Kind {
	case spf.EventTerm:
		return e.Match || e.Result != ""
	case spf.EventRecord:
		return e.Result != ""
	}
	return false
}

// spfEventRows renders one step of check_host(), indented by its depth
// and marked by its verdict: ✓ a match, · no match, ! an error.
func spfEventRows(th *theme, e *spf.Event) []row {
	r := row{reply: -1, hang: 2*e.Depth + 4}
	if e.Depth > 0 {
		r.segs = []seg{{strings.Repeat("│ ", e.Depth), th.dim}}
		r.cont = th.dim.on(strings.Repeat("│ ", e.Depth)) + "    "
	}
	mark := seg{"  ", th.dim}
	switch {
	case e.Kind == spf.EventTerm && e.Match:
		mark = seg{"✓ ", th.match}
	case e.Kind == spf.EventTerm && e.Result != "":
		mark = seg{"! ", th.bad}
	case e.Kind == spf.EventTerm:
		mark = seg{"· ", th.nomatch}
	case e.Kind == spf.EventEnter:
		mark = seg{"↳ ", th.accent}
	case e.Kind == spf.EventLeave:
		mark = seg{"↲ ", th.accent}
	case e.Kind == spf.EventCheck || e.Kind == spf.EventResult && e.Depth == 0:
		mark = seg{}
	}
	r.segs = append(append(r.segs, mark), wordSegs(th, e.Words())...)
	return []row{r}
}

// wordSegs paints the parts of an event's words by their roles.
func wordSegs(th *theme, w spf.Words) []seg {
	segs := make([]seg, len(w))
	for i, p := range w {
		var pt paint
		switch p.Role {
		case spf.RoleLabel, spf.RoleDetail:
			pt = th.dim
		case spf.RoleSubject:
			pt = th.result
		case spf.RoleResult:
			pt = th.resultPaint(p.Text)
		case spf.RoleMatch:
			pt = th.match
		case spf.RoleNoMatch:
			pt = th.nomatch
		case spf.RoleBad:
			pt = th.bad
		case spf.RoleWarn:
			pt = th.warn
		case spf.RoleLab:
			pt = th.lab
		default:
			pt = th.text
		}
		segs[i] = seg{p.Text, pt}
	}
	return segs
}

// counterLine shows the limits of RFC 7208 §4.6.4 as spent: "DNS lookups
// 3/10 ███░░░░░░░  void 0/2".
func counterLine(th *theme, c spf.Counters) string {
	const maxT, maxV = spf.DefaultMaxDNSTerms, spf.DefaultMaxVoidLookups
	bar := strings.Repeat("█", min(c.DNSTerms, maxT)) + strings.Repeat("░", max(maxT-c.DNSTerms, 0))
	tp, vp := th.counter, th.counter
	if c.DNSTerms > maxT {
		tp = th.over
	}
	if c.VoidLookups > maxV {
		vp = th.over
	}
	return th.dim.on("DNS lookups ") + tp.on(fmt.Sprintf("%d/%d", c.DNSTerms, maxT)) + " " + th.counter.on(bar) +
		th.dim.on("  void ") + vp.on(fmt.Sprintf("%d/%d", c.VoidLookups, maxV))
}
