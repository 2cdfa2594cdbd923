package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"spflab/classroom"
	"spflab/scenarios"
	"spflab/smtpsim"
)

// TestOneVocabularyDMARC: the DKIM and DMARC steps at the end of a
// message and the DMARC policy's decision reach spflab run as text, as
// Markdown and as JSON Lines, and serve --no-tui's log, each in the
// event's own words. (The lab's panes: tui's TestPanesShowDKIMAndDMARC.)
func TestOneVocabularyDMARC(t *testing.T) {
	f := mustLessons(t)
	for _, id := range []string{"dmarc-forged-from", "dkim-sign-verify"} {
		t.Run(id, func(t *testing.T) {
			tr, err := scenarios.Run(context.Background(), f.Lookup(id), scenarios.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var words, steps []string // every event's words; those JSON carries as "text"
			var text, md, js, log bytes.Buffer
			serveLog := classroom.NewLog(&log, false)
			for _, e := range tr.Events() {
				if e.SMTP == nil {
					continue
				}
				serveLog.SMTP(*e.SMTP)
				switch e.SMTP.Kind {
				case smtpsim.EventDKIM, smtpsim.EventDMARC:
					steps = append(steps, e.SMTP.String())
					words = append(words, e.SMTP.String())
				case smtpsim.EventDMARCPolicy:
					words = append(words, e.SMTP.String())
				}
			}
			serveLog.Flush()
			if len(steps) < 10 {
				t.Fatalf("the lesson gave %d DKIM and DMARC steps", len(steps))
			}
			for _, w := range []func() error{
				func() error { return scenarios.WriteText(&text, tr) },
				func() error { return scenarios.WriteMarkdown(&md, tr) },
				func() error { return scenarios.WriteJSON(&js, tr) },
			} {
				if err := w(); err != nil {
					t.Fatal(err)
				}
			}
			unescaped := strings.ReplaceAll(md.String(), `\`, "")
			for _, w := range words {
				for _, out := range []struct{ name, text string }{{"run", text.String()}, {"run --format markdown", unescaped}, {"serve --no-tui", log.String()}} {
					if !strings.Contains(out.text, w) {
						t.Errorf("%s lacks %q", out.name, w)
					}
				}
			}
			var texts []string
			sc := bufio.NewScanner(&js)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var e struct {
					SMTP *struct {
						DKIM, DMARC *struct{ Text string }
					}
				}
				if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
					t.Fatal(err)
				}
				switch {
				case e.SMTP == nil:
				case e.SMTP.DKIM != nil:
					texts = append(texts, e.SMTP.DKIM.Text)
				case e.SMTP.DMARC != nil:
					texts = append(texts, e.SMTP.DMARC.Text)
				}
			}
			if strings.Join(texts, "\n") != strings.Join(steps, "\n") {
				t.Errorf("run --format json gives the steps\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(steps, "\n"))
			}
		})
	}
}
