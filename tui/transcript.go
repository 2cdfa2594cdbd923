package tui

import (
	"fmt"
	"strings"

	"spflab/scenarios"
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
		case smtpsim.EventConnect:
			what := "connected from " + ev.Remote
			if ev.Client.IsValid() && ev.Client.String() != ev.Remote {
				what += ", taken for " + ev.Client.String()
			}
			rows = append(rows, row{gutter: gut, segs: []seg{{what, th.lab}}, reply: -1})
		case smtpsim.EventClientLine:
			if ev.InData { // a line of the message: quieter than the commands
				textPaint = th.dim
			}
			rows = append(rows, row{gutter: gut, segs: []seg{{"C: ", th.dim}, {ev.Line, textPaint}}, reply: -1, hang: 3})
		case smtpsim.EventReply:
			rows = append(rows, replyRows(th, ev.Reply, k, k == selected, e.lab)...)
			k++
		case smtpsim.EventXClient:
			rows = append(rows, row{gutter: gut, segs: []seg{{"XCLIENT: the client is now " + ev.Client.String(), th.lab}}, reply: -1})
		case smtpsim.EventPolicy:
			d := ev.Policy
			r := string(d.Outcome.Result)
			rows = append(rows, row{segs: []seg{
				{"  SPF ", th.dim}, {r, th.resultPaint(r)}, {" → " + shortAction(d.Action), th.dim},
			}, reply: -1})
		case smtpsim.EventClose:
			rows = append(rows, row{gutter: gut, segs: []seg{{"connection closed: " + ev.Reason, th.lab}}, reply: -1})
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
// policy's decision and the header fields it added. It returns the rows and
// the counters after the evaluation, nil when there was none.
func (t *transcript) spfRows(th *theme, k int) ([]row, *spf.Counters) {
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
	for i := range trace {
		ev := trace[i].ev
		if ev == nil {
			continue
		}
		switch ev.Kind {
		case smtpsim.EventDNS:
			q := ev.DNS
			got := strings.Join(q.Answers, ", ")
			if q.Err != "" {
				got = q.Err
			}
			add(seg{"DNS ", th.dim}, seg{q.QType + " " + q.Name + " → " + got, th.text}, seg{" (" + q.Purpose + ")", th.dim})
		case smtpsim.EventHELO:
			rows = append(rows, heloRows(th, ev.HELO)...)
		case smtpsim.EventSPF:
			if !sawSPF {
				sawSPF = true
				if len(rows) > 0 {
					rows = append(rows, row{reply: -1})
				}
				if d := decision; d != nil {
					id := d.Outcome.MailFrom
					if d.Outcome.Identity == spf.IdentityHELO {
						id = d.Outcome.HELO
						if d.Outcome.MailFrom == "" && d.At != "HELO" && d.At != "EHLO" {
							id += " (the sender is <>)"
						}
					}
					add(seg{"Identity ", th.dim}, seg{string(d.Outcome.Identity), th.result}, seg{": " + id, th.text})
				}
			}
			counters = &ev.SPF.Counters
			for _, r := range spfEventRows(th, ev.SPF) {
				r.at = counters
				rows = append(rows, r)
			}
		case smtpsim.EventPolicy:
			d := ev.Policy
			r := string(d.Outcome.Result)
			segs := []seg{{"Policy: ", th.text}, {r, th.resultPaint(r)}, {" for the " + string(d.Outcome.Identity) + " identity → " + actionWords(d.Action) + " at " + d.At, th.text}}
			if d.Reply != nil {
				segs = append(segs, seg{fmt.Sprintf(" (%d %s)", d.Reply.Code, d.Reply.Enhanced), th.text})
			}
			rows = append(rows, row{reply: -1}, row{segs: segs, reply: -1, hang: 4})
			if d.Problem != "" {
				add(seg{"  why: " + d.Problem, th.dim})
			}
		case smtpsim.EventHeader:
			add(seg{"+ ", th.ok}, seg{ev.Field.Name + ":", th.result}, seg{" " + ev.Field.Value, th.text})
		case smtpsim.EventStored:
			add(seg{fmt.Sprintf("Stored as message %d (%d bytes)", ev.Stored.ID, ev.Stored.Size), th.dim})
		case smtpsim.EventXClient:
			add(seg{"XCLIENT (lab): the server now takes the client for " + ev.Client.String(), th.lab})
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

// heloRows shows the claimed HELO name next to the name the address
// really has.
func heloRows(th *theme, h *smtpsim.HELOCheck) []row {
	claimed := row{segs: []seg{{"HELO ", th.dim}, {"said " + h.Claimed, th.text}}, reply: -1, hang: 4}
	var verdict row
	switch {
	case h.Name == "" && h.Problem != "":
		verdict = plainRow(th.warn, "  "+h.IP.String()+" has no known name: "+h.Problem)
	case h.Name == "":
		verdict = plainRow(th.dim, "  "+h.IP.String()+" has no confirmed name")
	case h.Matches:
		verdict = row{segs: []seg{{"  ✓ ", th.match}, {h.IP.String() + " is " + h.Name + ": the name is true", th.text}}, reply: -1}
	default:
		verdict = row{segs: []seg{{"  ✗ ", th.bad}, {h.IP.String() + " is " + h.Name + ": the HELO name is a lie", th.bad}}, reply: -1}
	}
	verdict.hang = 4
	return []row{claimed, verdict}
}

// spfEventRows renders one step of check_host(), indented by its depth.
func spfEventRows(th *theme, e *spf.Event) []row {
	var rows []row
	indent := seg{}
	if e.Depth > 0 {
		indent = seg{strings.Repeat("│ ", e.Depth), th.dim}
	}
	cont := ""
	if e.Depth > 0 {
		cont = th.dim.on(strings.Repeat("│ ", e.Depth)) + "    "
	}
	add := func(segs ...seg) {
		rows = append(rows, row{segs: append([]seg{indent}, segs...), reply: -1, hang: 2*e.Depth + 4, cont: cont})
	}
	why := e.Why()
	switch e.Kind {
	case spf.EventCheck:
		add(seg{"check_host(", th.accent}, seg{e.IP.String() + ", " + e.Domain + ", " + e.Sender, th.text}, seg{")", th.accent})
	case spf.EventDNS:
		segs := []seg{{"  DNS ", th.dim}, {e.QType + " " + e.Name + " → " + scenarios.DNSAnswer(e), th.text}}
		if e.Void {
			segs = append(segs, seg{" (a void lookup)", th.warn})
		}
		add(segs...)
	case spf.EventRecord:
		switch {
		case e.Record != "" && e.Result != "":
			add(seg{"  record ", th.dim}, seg{e.Record, th.text})
			add(seg{fmt.Sprintf("  ✗ column %d: %s → %s", e.Column, why, e.Result), th.bad})
		case e.Record != "":
			add(seg{"  record ", th.dim}, seg{e.Record, th.result})
		default:
			add(seg{"  no usable record → ", th.dim}, seg{string(e.Result), th.resultPaint(string(e.Result))}, seg{": " + why, th.dim})
		}
	case spf.EventMacro:
		add(seg{"  expand ", th.dim}, seg{e.Macro, th.text}, seg{" → ", th.dim}, seg{e.Expanded, th.result})
	case spf.EventTerm:
		term := e.Term
		if term == "" {
			term = "(end of record)"
		}
		var segs []seg
		switch {
		case e.Match:
			segs = []seg{{"  ✓ ", th.match}, {term, th.result}, {" match → ", th.text}, {string(e.Result), th.resultPaint(string(e.Result))}}
		case e.Result != "":
			segs = []seg{{"  ! ", th.bad}, {term, th.result}, {" → ", th.text}, {string(e.Result), th.resultPaint(string(e.Result))}}
		default:
			segs = []seg{{"  · ", th.nomatch}, {term, th.text}, {" no match", th.nomatch}}
		}
		add(segs...)
		if why != "" {
			add(seg{"      " + why, th.dim})
		}
	case spf.EventEnter:
		add(seg{"  ↳ ", th.accent}, seg{e.Term, th.result}, seg{": evaluate the record of " + e.Target, th.text})
	case spf.EventLeave:
		r := string(e.Result)
		verdict := "no match"
		if e.Match {
			verdict = "match"
		}
		if strings.HasPrefix(strings.ToLower(e.Term), "redirect") {
			verdict = "its result is the result"
		}
		add(seg{"  ↲ ", th.accent}, seg{e.Target + " returned ", th.text}, seg{r, th.resultPaint(r)}, seg{": " + verdict, th.dim})
	case spf.EventExplanation:
		if e.Explanation != "" {
			add(seg{"  explanation: ", th.dim}, seg{e.Explanation, th.text})
		} else {
			add(seg{"  explanation not used: " + why, th.dim})
		}
	case spf.EventResult:
		r := string(e.Result)
		if e.Depth > 0 {
			add(seg{"  = ", th.dim}, seg{r, th.resultPaint(r)})
			break
		}
		add(seg{"Result: ", th.result}, seg{strings.ToUpper(r), th.resultPaint(r)}, seg{" for " + e.Domain, th.text})
		if e.Explanation != "" {
			add(seg{"  explanation: ", th.dim}, seg{e.Explanation, th.text})
		} else if why != "" {
			add(seg{"  " + why, th.dim})
		}
	}
	return rows
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

// actionWords says what a policy action does.
func actionWords(a smtpsim.Action) string {
	switch a {
	case smtpsim.ActionHeader:
		return "accept, mark in Received-SPF"
	case smtpsim.ActionAccept:
		return "accept"
	case smtpsim.ActionTempFail:
		return "refuse for now (4xx)"
	case smtpsim.ActionReject:
		return "refuse (5xx)"
	}
	return a.String()
}

// shortAction is actionWords for the SMTP pane's one line.
func shortAction(a smtpsim.Action) string {
	switch a {
	case smtpsim.ActionHeader:
		return "accept, mark"
	case smtpsim.ActionTempFail:
		return "refuse for now"
	case smtpsim.ActionReject:
		return "refuse"
	}
	return a.String()
}
