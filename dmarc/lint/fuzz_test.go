package lint_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"spflab/dmarc/lint"
	"spflab/fakedns"
)

// FuzzLint lints any text published at _dmarc.example.com: no panic, no
// error, every finding of a known rule with its term at its column, and a
// text form that names every finding.
func FuzzLint(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=reject",
		"v=DMARC1; p=none; pct=50; rua=mailto:d@example.com!10m,https://x.example.net; ruf=mailto:f@vendor.example.net",
		"v=DMARC1;;p=rejectt; p=none; sp=none; np=quarantine; t=y; foo=bar; fo=1:d:x; adkim=q",
		"v=dmarc1; p=reject",
		"v = DMARC1 ; rua = mailto:%40@example.com?subject=x , mailto:a@",
	} {
		f.Add(s)
	}
	ids := map[string]bool{}
	for _, r := range lint.Rules() {
		ids[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, record string) {
		z := fakedns.NewZone()
		z.AddTXT("_dmarc.example.com", record)
		l := lint.Linter{Resolver: z}
		rep, err := l.Lint(context.Background(), "example.com")
		if err != nil {
			t.Fatalf("Lint(%q): %v", record, err)
		}
		for _, fd := range rep.Findings {
			if !ids[fd.ID] || fd.Message == "" || fd.Fix == "" {
				t.Fatalf("finding of no rule, or without message or fix: %+v", fd)
			}
			if fd.Term != "" && (fd.Column < 1 || fd.Column-1+len(fd.Term) > len(fd.Record) || fd.Record[fd.Column-1:fd.Column-1+len(fd.Term)] != fd.Term) {
				t.Fatalf("term %q not at column %d of %q", fd.Term, fd.Column, fd.Record)
			}
			if line, carets := fd.Caret(40); utf8.ValidString(line) && strings.Count(carets, "^") > utf8.RuneCountInString(line) {
				t.Fatalf("more carets than characters: %q / %q", line, carets)
			}
		}
		var b strings.Builder
		if err := lint.WriteText(&b, rep); err != nil {
			t.Fatal(err)
		}
		for _, fd := range rep.Findings {
			if !strings.Contains(b.String(), fd.String()) {
				t.Fatalf("the text lacks %q", fd.String())
			}
		}
	})
}
