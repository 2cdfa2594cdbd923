package lint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"spflab/spf"
	"spflab/spf/lint"
)

// FuzzDraft lints any draft against the test zone: never a panic, every
// finding of a known rule at a column inside its record, and every output
// format written (JSON and SARIF valid).
func FuzzDraft(f *testing.F) {
	for _, tc := range ruleCases {
		if tc.draft != "" {
			f.Add(tc.draft)
		}
	}
	l := lint.Linter{Resolver: zone(f, lintZone())}
	ids := map[string]bool{}
	for _, r := range lint.Rules() {
		ids[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, draft string) {
		rep, err := l.Draft(context.Background(), "example.com", draft)
		if err != nil {
			if spf.IsSPFRecord(draft) {
				t.Fatalf("Draft(%q): %v", draft, err)
			}
			return
		}
		for _, fd := range rep.Findings {
			if !ids[fd.ID] || fd.Message == "" || fd.Fix == "" {
				t.Fatalf("Draft(%q): finding %+v", draft, fd)
			}
			if fd.Column != 0 && (fd.Record == "" || fd.Column > len(fd.Record)+1) {
				t.Fatalf("Draft(%q): column %d outside %q", draft, fd.Column, fd.Record)
			}
			if line, carets := fd.Caret(40); strings.Count(carets, "^") > len(line) {
				t.Fatalf("Draft(%q): carets %q under %q", draft, carets, line)
			}
		}
		if err := lint.WriteText(io.Discard, rep); err != nil {
			t.Fatal(err)
		}
		for _, write := range []func(io.Writer, *lint.Report) error{lint.WriteJSON, lint.WriteSARIF} {
			var b bytes.Buffer
			if err := write(&b, rep); err != nil || !json.Valid(b.Bytes()) {
				t.Fatalf("Draft(%q): invalid JSON (%v):\n%s", draft, err, b.String())
			}
		}
	})
}
