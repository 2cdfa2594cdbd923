package scenarios

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"spflab/smtpsim"
	"spflab/spf"
)

// errWriter keeps the first write error so that printers can write freely
// and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// WriteText writes a transcript as text: the SMTP lines as on the wire
// ("C:" and "S:"), and under each line what the server did — its DNS
// queries, the HELO reveal, every SPF step indented by its depth with the
// lookup counters, the policy, the DKIM and DMARC steps at the end of a
// message, the header fields — then the narration and
// the expectations met (✓) or not (✗). Lab machinery is marked [lab].
func WriteText(w io.Writer, t *Transcript) error {
	ew := &errWriter{w: w}
	sc := t.Scenario
	ew.printf("== %s: %s ==\n%s\n", sc.ID, sc.Title, sc.Summary)
	for _, st := range t.Steps {
		switch st.Role {
		case RoleDialogue:
			ew.printf("\n-- step %d --\n", st.Number)
		case RoleTyped, RoleHangUp:
			ew.printf("\n-- lab --\n")
		}
		for _, e := range st.Events {
			textEvent(ew, &e)
		}
	}
	return ew.err
}

func textEvent(ew *errWriter, e *Event) {
	lab := ""
	if e.Lab {
		lab = "[lab] "
	}
	switch {
	case e.Kind == EventLesson, e.Kind == EventNarration:
		ew.printf("\n%s\n\n", e.Text)
	case e.Kind == EventNote:
		ew.printf("(%s)\n", e.Text)
	case e.Kind == EventNotice:
		ew.printf("Notice: %s\n", strings.ReplaceAll(e.Text, "\n", "\n        "))
	case e.Kind == EventCheck:
		if e.Check.OK {
			ew.printf("    ✓ %s %s\n", e.Check.Field, e.Check.Expected)
		} else {
			ew.printf("    ✗ %s: expected %s, got %s\n", e.Check.Field, e.Check.Expected, e.Check.Got)
		}
	case e.Is(smtpsim.EventClientLine, smtpsim.EventReply):
		for _, l := range strings.Split(e.SMTP.String(), "\n") {
			ew.printf("%s%s\n", lab, l)
		}
	case e.Is(smtpsim.EventSPF):
		if e.SMTP.SPF.Echoed() {
			return
		}
		ew.printf("%s    spf %s%s\n", lab, strings.Repeat("  ", e.SMTP.SPF.Depth), e.SMTP.SPF.TraceLine(spf.DefaultMaxDNSTerms, spf.DefaultMaxVoidLookups))
	default:
		ew.printf("%s    %s\n", lab, e.SMTP.String())
	}
}

// WriteJSON writes a transcript as JSON Lines: one Event per line, in
// order, each with its scenario id and step index; a server event (kind
// "smtp") carries it under "smtp", with its own kind, an expectation its
// outcome under "check".
func WriteJSON(w io.Writer, t *Transcript) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range t.Events() {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown writes a transcript as a classroom handout: the lesson,
// the SPF records the server reads, then for each step its
// narration, the dialogue in a code block, what the server did as a list
// (the SPF steps nested by depth), and what to notice. Lab machinery and
// the expectations are left out.
func WriteMarkdown(w io.Writer, t *Transcript) error {
	ew := &errWriter{w: w}
	sc := t.Scenario
	ew.printf("# %s\n\n*%s*\n\n", mdEscape(sc.Title), mdEscape(sc.Summary))
	if sc.Lesson != "" {
		ew.printf("%s\n\n", sc.Lesson)
	}
	mdSetting(ew, t)
	for _, st := range t.Steps {
		if st.Role != RoleDialogue {
			mdLab(ew, &st)
			continue
		}
		mdStep(ew, &st)
	}
	return ew.err
}

// mdSetting describes the lesson's world: the client, the server, and
// the SPF records the run consulted.
func mdSetting(ew *errWriter, t *Transcript) {
	sc := t.Scenario
	srv := sc.Server
	ew.printf("**The setting.** The client is `%s`. The server `%s` checks SPF at %s", sc.Client, srv.Hostname, srv.CheckAt)
	if srv.CheckHELO {
		ew.printf(" and checks the HELO name too")
	}
	if srv.SenderDomainCheck {
		ew.printf("; it refuses a sender domain that does not exist")
	}
	ew.printf(".\n\n")
	recs := consulted(t)
	if len(recs) == 0 {
		ew.printf("No SPF record is found in this lesson.\n\n")
		return
	}
	ew.printf("The SPF records the server reads in this lesson:\n\n```text\n")
	width := 0
	for _, r := range recs {
		width = max(width, len(r.Domain))
	}
	for _, r := range recs {
		ew.printf("%-*s  TXT  %q\n", width, r.Domain, r.Text)
	}
	ew.printf("```\n\n")
}

// consulted returns the SPF records a run read, in the order first read.
func consulted(t *Transcript) []Record {
	var out []Record
	seen := make(map[Record]bool)
	for _, e := range t.Events() {
		if !e.Is(smtpsim.EventSPF) || e.SMTP.SPF.Kind != spf.EventRecord || e.SMTP.SPF.Record == "" {
			continue
		}
		r := Record{Domain: e.SMTP.SPF.Domain, Text: e.SMTP.SPF.Record}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// mdLab tells the lab's own steps in a sentence, and shows the greeting.
func mdLab(ew *errWriter, st *Step) {
	for _, e := range st.Events {
		switch {
		case e.Is(smtpsim.EventXClient):
			ew.printf("*The lab connects over loopback and gives itself the client address `%s` with XCLIENT.*\n\n", e.SMTP.Client)
		case e.Is(smtpsim.EventReply) && !e.Lab:
			ew.printf("```text\n%s\n```\n\n", e.SMTP.String())
		case e.Is(smtpsim.EventClose) && st.Role == RoleHangUp:
			ew.printf("*The lab closes the connection.*\n\n")
		}
	}
}

func mdStep(ew *errWriter, st *Step) {
	ds := st.Script
	switch ds.Kind {
	case StepSend:
		ew.printf("## Step %d: `%s`\n\n", st.Number, strings.ReplaceAll(ds.Line, "`", "'"))
	case StepData:
		ew.printf("## Step %d: the message\n\n", st.Number)
	default:
		ew.printf("## Step %d\n\n", st.Number)
	}
	if ds.Narration != "" {
		ew.printf("%s\n\n", ds.Narration)
	}
	var wire, did []string
	for _, e := range st.Events {
		switch {
		case e.Is(smtpsim.EventClientLine, smtpsim.EventReply):
			wire = append(wire, e.SMTP.String())
		case e.Is(smtpsim.EventSPF):
			if e.SMTP.SPF.Echoed() {
				break
			}
			did = append(did, strings.Repeat("  ", e.SMTP.SPF.Depth+1)+"- "+mdEscape(e.SMTP.SPF.TraceLine(spf.DefaultMaxDNSTerms, spf.DefaultMaxVoidLookups)))
		case e.Kind == EventSMTP:
			did = append(did, "- "+mdEscape(e.SMTP.String()))
		case e.Kind == EventNote:
			did = append(did, "- *"+mdEscape(e.Text)+"*")
		}
	}
	did = nestSPF(did)
	if len(wire) > 0 {
		ew.printf("```text\n%s\n```\n\n", strings.Join(wire, "\n"))
	}
	if len(did) > 0 {
		ew.printf("What the server did:\n\n%s\n\n", strings.Join(did, "\n"))
	}
	if ds.Notice != "" {
		ew.printf("> **What to notice.** %s\n\n", strings.ReplaceAll(ds.Notice, "\n", "\n> "))
	}
}

// nestSPF puts a heading item above each run of SPF steps, so that the
// steps nest under it.
func nestSPF(did []string) []string {
	var out []string
	inSPF := false
	for _, d := range did {
		isSPF := strings.HasPrefix(d, "  ")
		if isSPF && !inSPF {
			out = append(out, "- SPF evaluation:")
		}
		inSPF = isSPF
		out = append(out, d)
	}
	return out
}

// mdEscape escapes the characters Markdown would take for markup.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>#|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
