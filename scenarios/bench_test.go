package scenarios

import (
	"context"
	"os"
	"testing"
)

// BenchmarkParseBuiltin loads the built-in lessons.
func BenchmarkParseBuiltin(b *testing.B) {
	data, err := os.ReadFile("../scenarios.yaml")
	if err != nil {
		b.Fatal(err)
	}
	fsys := os.DirFS("..")
	for b.Loop() {
		if _, err := Parse(data, "scenarios.yaml", fsys); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunBuiltin runs every built-in lesson once per iteration, each
// against its own server over loopback TCP: what spflab test does after
// loading.
func BenchmarkRunBuiltin(b *testing.B) {
	f := builtin(b)
	ctx := context.Background()
	for b.Loop() {
		for _, sc := range f.Scenarios {
			tr, err := Run(ctx, sc, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if len(tr.Failed()) > 0 {
				b.Fatal(tr.Failed()[0])
			}
		}
	}
}

// BenchmarkStep is one scripted step with an SPF check: the RCPT of the
// seed's 550, from a fresh runner each time the dialogue ends.
func BenchmarkStep(b *testing.B) {
	sc := builtin(b).Lookup("seed-spf-fail")
	ctx := context.Background()
	var r *Runner
	for b.Loop() {
		if r == nil || r.Done() {
			if r != nil {
				r.Close()
			}
			var err error
			if r, err = Start(ctx, sc, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := r.Next(ctx); err != nil {
			b.Fatal(err)
		}
	}
	r.Close()
}
