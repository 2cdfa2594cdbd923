package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds the loader arbitrary files: it must never panic, must
// report every problem as an Error with a field and a message, and what
// it loads must be complete.
func FuzzParse(f *testing.F) {
	f.Add([]byte(scenario))
	f.Add([]byte(seedFile))
	f.Add([]byte(dmarcFile))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "fuzz.yaml", testFS)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %T %v, want Errors", err, err)
			}
			if file != nil {
				t.Fatal("a File with the error")
			}
			for _, e := range errs {
				if e.Field == "" || e.Msg == "" || e.Line < 0 || e.File != "fuzz.yaml" {
					t.Fatalf("incomplete error %+v", e)
				}
			}
			return
		}
		if len(file.Scenarios) == 0 {
			t.Fatal("loaded no scenarios without an error")
		}
		for _, sc := range file.Scenarios {
			if sc.ID == "" || sc.Title == "" || sc.Zone == nil || !sc.Client.IsValid() || len(sc.Dialogue) == 0 {
				t.Fatalf("incomplete scenario %+v", sc)
			}
			for _, st := range sc.Dialogue {
				if st.Kind < StepSay || st.Kind > StepData || strings.ContainsAny(st.Line, "\r\n") {
					t.Fatalf("bad step %+v", st)
				}
				if len(st.Sign) > 0 && !strings.HasPrefix(st.Wire, "DKIM-Signature:") {
					t.Fatalf("a step to sign sends an unsigned message %q", st.Wire)
				}
			}
			for _, s := range sc.Signers {
				if s.Key == nil || s.Domain == "" || s.Selector == "" {
					t.Fatalf("incomplete signer %+v", s)
				}
			}
		}
	})
}
