package scenarios

import (
	"context"
	"testing"

	"spflab/spf"
)

// TestReviewDraft: the verdict is the engine's — a text that is not an
// SPF record gives none (RFC 7208 §4.5), not permerror — and only an SPF
// record is linted.
func TestReviewDraft(t *testing.T) {
	f, err := LoadFile("../scenarios.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc := f.Lookup("seed-spf-fail")
	for _, tt := range []struct {
		draft  string
		result spf.Result
		linted bool
	}{
		{"v=spf1 ip4:192.0.2.25 -all", spf.Fail, true}, // the client is 192.0.2.80
		{"v=spf1 ip4:192.0.2.80 -all", spf.Pass, true},
		{"v=spf10 -all", spf.None, false},
		{"v=spf1 ip4:192.0.2.300 -all", spf.PermError, true},
	} {
		r := sc.ReviewDraft(context.Background(), "euston.net", tt.draft, nil)
		if n := len(r.Verdict); n == 0 || r.Verdict[n-1].Kind != spf.EventResult || r.Verdict[n-1].Result != tt.result {
			t.Errorf("%q: verdict %v, want a result %s last", tt.draft, r.Verdict, tt.result)
		}
		if (r.Lint != nil || r.LintErr != nil) != tt.linted {
			t.Errorf("%q: lint %v (%v), want linted %v", tt.draft, r.Lint, r.LintErr, tt.linted)
		}
	}
}
