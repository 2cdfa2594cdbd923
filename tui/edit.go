package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"spflab/fakedns"
	"spflab/scenarios"
	"spflab/spf"
	"spflab/spf/lint"
)

// editor edits the SPF record of a domain of the lesson: the draft is
// parsed as it is typed (a syntax error shows with its column), checked
// by the engine for the lesson's client and linted against the lesson's
// zone, and rerunning the lesson uses it (scenarios.Options.Records). What
// the draft gives is always the engine's word, never the editor's guess.
type editor struct {
	domains   []string
	published map[string]string // the record the lesson's zone publishes, "" for none
	texts     map[string]string // the text as edited, by domain
	idx       int
	input     textinput.Model

	syntax  *spf.SyntaxError
	verdict []spf.Event // what the engine made of the draft; see verdictEvents
	lint    *lint.Report
	lintErr error
	lintFor string // the draftKey the engine and lint ran on
	asked   string // the draftKey of the newest lint command
	seq     int    // identifies the newest lint command
}

// lintMsg brings what the engine and lint made of a draft.
type lintMsg struct {
	seq     int
	key     string
	verdict []spf.Event
	report  *lint.Report
	err     error
}

// newEditor offers the domains of sc: first those with an SPF record, then
// the other names of its zone (a domain may start publishing one), with
// the lesson's drafts as the starting text.
func newEditor(th *theme, sc *scenarios.Scenario, drafts map[string]string) *editor {
	ed := &editor{published: map[string]string{}, texts: map[string]string{}}
	for _, r := range sc.Records() {
		if _, ok := ed.published[r.Domain]; !ok {
			ed.domains = append(ed.domains, r.Domain)
			ed.published[r.Domain] = r.Text
		}
	}
	for _, name := range sc.Zone.Names() {
		if _, ok := ed.published[name]; !ok && !strings.HasSuffix(name, ".arpa") {
			ed.domains = append(ed.domains, name)
			ed.published[name] = ""
		}
	}
	for d, text := range drafts {
		d = fakedns.Canonical(d)
		if _, ok := ed.published[d]; !ok {
			ed.domains = append(ed.domains, d)
		}
		ed.texts[d] = text
	}
	ed.input = textinput.New()
	ed.input.Prompt = "draft> "
	ed.input.Placeholder = "v=spf1 ... (empty: no SPF record)"
	ed.input.SetStyles(th.input)
	ed.input.Focus()
	// Start on the first domain with a draft, else the first.
	for i, d := range ed.domains {
		if _, ok := drafts[d]; ok {
			ed.idx = i
			break
		}
	}
	ed.load()
	return ed
}

func (ed *editor) domain() string { return ed.domains[ed.idx] }

// key names the draft as it is now: its domain and text.
func (ed *editor) key() string { return ed.domain() + " " + ed.input.Value() }

// load puts the current domain's text into the input.
func (ed *editor) load() {
	text, ok := ed.texts[ed.domain()]
	if !ok {
		text = ed.published[ed.domain()]
	}
	ed.input.SetValue(text)
	ed.input.CursorEnd()
	ed.check()
}

// check parses the draft; the engine's verdict and the lint come by
// command. A text that is not an SPF record is not parsed: the engine
// passes over it when it selects the record (RFC 7208 §4.5).
func (ed *editor) check() {
	ed.syntax = nil
	text := ed.input.Value()
	if !spf.IsSPFRecord(text) {
		return
	}
	if _, err := spf.Parse(text); err != nil {
		errors.As(err, &ed.syntax)
	}
}

// switchTo moves to domain i, keeping the text edited so far.
func (ed *editor) switchTo(i int) {
	ed.texts[ed.domain()] = ed.input.Value()
	ed.idx = (i + len(ed.domains)) % len(ed.domains)
	ed.load()
}

// drafts returns the lesson's drafts after the edit: a domain whose text
// is its published record has none.
func (ed *editor) drafts() map[string]string {
	ed.texts[ed.domain()] = ed.input.Value()
	out := map[string]string{}
	for d, text := range ed.texts {
		if text != ed.published[d] {
			out[d] = text
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// lintCmd asks the lesson for its review of the draft (the engine's
// verdict for the lesson's client and the lint), with the other domains'
// drafts in place.
func (ed *editor) lintCmd(ctx context.Context, sc *scenarios.Scenario) tea.Cmd {
	text, key := ed.input.Value(), ed.key()
	if key == ed.asked {
		return nil // asked already: its answer is the newest, or on its way
	}
	ed.seq++
	ed.asked = key
	seq, domain := ed.seq, ed.domain()
	others := map[string]string{}
	for d, t := range ed.texts {
		if d != domain && t != ed.published[d] {
			others[d] = t
		}
	}
	return func() tea.Msg {
		r := sc.ReviewDraft(ctx, domain, text, others)
		return lintMsg{seq: seq, key: key, verdict: r.Verdict, report: r.Lint, err: r.LintErr}
	}
}

// view renders the editor in width cells.
func (ed *editor) view(th *theme, width int) []string {
	var out []string
	// The domain, and which others there are.
	tabs := []seg{{"domain ", th.dim}, {" " + ed.domain() + " ", th.focusTitle}}
	if n := len(ed.domains); n > 1 {
		tabs = append(tabs, seg{fmt.Sprintf(" %d of %d · tab: %s", ed.idx+1, n, ed.domains[(ed.idx+1)%n]), th.dim})
	}
	var edited []string
	for _, d := range ed.domains {
		if t, ok := ed.texts[d]; ok && t != ed.published[d] && d != ed.domain() {
			edited = append(edited, d)
		}
	}
	if len(edited) > 0 {
		tabs = append(tabs, seg{" · also edited: " + strings.Join(edited, ", "), th.warnText})
	}
	out = append(out, fit(renderSegs(cleanSegs(tabs)), width))
	pub := ed.published[ed.domain()]
	if pub == "" {
		pub = "no SPF record"
	}
	for _, l := range wrapSegs([]seg{{"published ", th.dim}, {pub, th.dim}}, width) {
		out = append(out, renderSegs(l))
	}
	ed.input.SetWidth(max(width-len(ed.input.Prompt)-1, 8))
	out = append(out, ed.input.View())

	text := ed.input.Value()
	switch {
	case text == "":
		out = append(out, th.dim.on("An empty draft: the domain publishes no SPF record."))
	case ed.syntax != nil: // the engine's record event below says why
		out = append(out, markColumn(th, text, ed.syntax, width)...)
	case spf.IsSPFRecord(text):
		out = append(out, th.ok.on("✓ syntax"))
	}
	if ed.lintFor == ed.key() {
		for i := range ed.verdict {
			out = appendHang(out, wordSegs(th, ed.verdict[i].Words()), width, 4)
		}
	}
	if ed.lintErr != nil {
		out = append(out, wrapText("lint: "+ed.lintErr.Error(), th.warnText, width)...)
	}
	if r := ed.lint; r != nil && ed.lintFor == ed.key() {
		line := fmt.Sprintf("worst case: DNS lookups %d/%d, void lookups %d/%d", r.Lookups, r.MaxLookups, r.VoidLookups, r.MaxVoidLookups)
		p := th.counter
		if r.Lookups > r.MaxLookups || r.VoidLookups > r.MaxVoidLookups {
			p = th.errText
		}
		out = append(out, p.on(fit(line, width)))
		for _, f := range r.Findings {
			if ed.syntax != nil && f.Name == "syntax" && f.Domain == ed.domain() {
				continue // shown above
			}
			p := th.warnText
			switch f.Severity {
			case lint.SeverityError:
				p = th.errText
			case lint.SeverityInfo:
				p = th.dim
			}
			out = append(out, wrapText(f.String(), p, width)...)
			out = append(out, wrapText("  fix: "+f.Fix, th.dim, width)...)
		}
	}
	return out
}

// markColumn shows the draft with the faulty term marked.
func markColumn(th *theme, text string, e *spf.SyntaxError, width int) []string {
	from := min(max(e.Column-1, 0), len(text))
	to := from + len(e.Term)
	if e.Term == "" || !strings.HasPrefix(text[from:], e.Term) {
		to = strings.IndexByte(text[from:], ' ')
		if to < 0 {
			to = len(text)
		} else {
			to += from
		}
	}
	if to == from && from < len(text) {
		to = from + 1
	}
	segs := []seg{{text[:from], th.dim}, {text[from:to], th.badCode}, {text[to:], th.dim}}
	if from == len(text) {
		segs = append(segs, seg{"␣", th.badCode})
	}
	var out []string
	lines := wrapSegs(segs, width)
	for _, l := range lines {
		out = append(out, renderSegs(l))
	}
	if len(lines) == 1 { // a caret under the fault, for when colours are off
		out = append(out, spaces(textWidth(text[:from]))+th.errText.on(strings.Repeat("^", max(textWidth(text[from:to]), 1))))
	}
	return out
}

// typer is the free-typing line: the learner's own SMTP lines, sent to
// the lesson's server on the same session, with a history.
type typer struct {
	input   textinput.Model
	history []string
	pos     int // in history while browsing; len(history) for the new line
}

func newTyper(th *theme) *typer {
	ti := textinput.New()
	ti.Prompt = "C: "
	ti.Placeholder = "an SMTP line, e.g. MAIL From:<you@euston.net>"
	ti.SetStyles(th.input)
	ti.Focus()
	return &typer{input: ti}
}

// browse moves in the history by d lines.
func (ty *typer) browse(d int) {
	ty.pos = min(max(ty.pos+d, 0), len(ty.history))
	if ty.pos == len(ty.history) {
		ty.input.SetValue("")
		return
	}
	ty.input.SetValue(ty.history[ty.pos])
	ty.input.CursorEnd()
}

// take returns the line typed and keeps it in the history.
func (ty *typer) take() string {
	line := ty.input.Value()
	if line != "" && (len(ty.history) == 0 || ty.history[len(ty.history)-1] != line) {
		ty.history = append(ty.history, line)
	}
	ty.pos = len(ty.history)
	ty.input.SetValue("")
	return line
}
