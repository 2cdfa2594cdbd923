package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"spflab/internal/budget/budgettest"
)

// TestInputBudgets: every command that reads a file given on its command
// line refuses one over a budget with exit status 2 and an error naming
// the file, the line and the budget, for little memory. Each input here
// once made spflab run out of memory (the bombs) or pass falsely (the
// empty suite).
func TestInputBudgets(t *testing.T) {
	// Each case measures its own subprocess.
	t.Parallel()
	txtBomb := func() string { // 40 KB: a 4 KB TXT aliased 999 times, in a zone 1,000 names alias
		var b strings.Builder
		b.WriteString("scenarios:\n  - id: bomb\n    title: t\n    summary: s\n    client: 192.0.2.80\n    dialogue: [send: QUIT]\n    zones:\n")
		b.WriteString("      big.example: &zone\n        - TXT: &txt " + strings.Repeat("x", 4096) + "\n")
		b.WriteString(strings.Repeat("        - TXT: *txt\n", 999))
		for i := range 1000 {
			fmt.Fprintf(&b, "      n%d.example: *zone\n", i)
		}
		return b.String()
	}
	// 13 KB: 200 lines of $GENERATE 0-65535
	generate := "$TTL 300\n" + strings.Repeat("$GENERATE 0-65535 h$ TXT \"v=spf1 -all\"\n", 200)
	// 4 MB expanding to 4 GiB
	gzipBomb := func() []byte {
		var member bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
		zw.Write(bytes.Repeat([]byte{'\n'}, 1<<20))
		zw.Close()
		return bytes.Repeat(member.Bytes(), 4096)
	}
	const raise = " (SPFLAB_BUDGET=N multiplies every budget by N)"
	tests := []struct {
		name  string
		file  string
		data  func() []byte
		size  int64 // > 0: the file is data, then zeros up to size (sparse)
		args  []string
		wants string // FILE stands for the file's path
	}{
		{"test: alias bomb", "bomb.yaml", func() []byte { return []byte(txtBomb()) }, 0,
			[]string{"test", "FILE"},
			"spflab test: FILE:266: budget: over the budget of 1 MiB for the text YAML aliases repeat in a document: with alias *txt, the aliases so far repeat 1052672 bytes of text" + raise},
		{"test: 200 MB lesson file", "big.yaml", func() []byte { return []byte("scenarios:\n") }, 200 << 20,
			[]string{"test", "FILE"},
			"spflab test: FILE:2: budget: over the budget of 1 MiB for a lesson file: the file goes on past it" + raise},
		{"serve --scenarios: alias bomb", "bomb.yaml", func() []byte { return []byte(txtBomb()) }, 0,
			[]string{"serve", "--scenarios", "FILE", "--no-tui"},
			"spflab serve: FILE:266: budget: over the budget of 1 MiB for the text YAML aliases"},
		{"lint --zone: $GENERATE", "bomb.zone", func() []byte { return []byte(generate) }, 0,
			[]string{"lint", "example.com", "--zone", "FILE"},
			"FILE:3: over the budget of 100000 records for the zones of a file: this $GENERATE makes 65536 names, after 65536 records" + raise},
		{"serve --zone: $GENERATE", "bomb.zone", func() []byte { return []byte(generate) }, 0,
			[]string{"serve", "--zone", "FILE", "--origin", "example.com", "--no-tui"},
			"spflab serve: --zone: FILE:3: over the budget of 100000 records for the zones of a file: this $GENERATE makes 65536 names"},
		{"lint --zone: zonedata alias bomb", "bomb.yml", func() []byte {
			var b strings.Builder
			b.WriteString("big.example: &zone\n  - TXT: &txt " + strings.Repeat("x", 4096) + "\n")
			b.WriteString(strings.Repeat("  - TXT: *txt\n", 999))
			for i := range 1000 {
				fmt.Fprintf(&b, "n%d.example: *zone\n", i)
			}
			return []byte(b.String())
		}, 0,
			[]string{"lint", "example.com", "--zone", "FILE"},
			"FILE:259: over the budget of 1 MiB for the text YAML aliases repeat in a document"},
		{"suite: gzip bomb", "bomb.yml.gz", gzipBomb, 0,
			[]string{"suite", "FILE"},
			"spflab suite: FILE:1048577: over the budget of 1 MiB for a suite file (compressed or not): the file goes on past it" + raise},
		{"suite: empty file", "empty.yml", func() []byte { return nil }, 0,
			[]string{"suite", "FILE"},
			"spflab suite: FILE: no tests: the suite holds no scenario"},
		{"check --compare: 300 MB senders file", "senders.csv", func() []byte { return []byte("192.0.2.1,a@example.com,h.example.com\n") }, 300 << 20,
			[]string{"check", "example.com", "--record", "v=spf1 -all", "--compare", "--senders", "FILE", "--zone", "ZONE"},
			"spflab check: FILE: line 2: over the budget of 256 MiB for a senders file: the file goes on past it" + raise},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			budgettest.PeakBounded(t, 100<<20, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, tt.file)
				if err := os.WriteFile(path, tt.data(), 0o644); err != nil {
					t.Fatal(err)
				}
				if tt.size > 0 {
					if err := os.Truncate(path, tt.size); err != nil {
						t.Fatal(err)
					}
				}
				zone := filepath.Join(dir, "world.yml")
				if err := os.WriteFile(zone, []byte("example.com: [TXT: v=spf1 ip4:192.0.2.1 -all]\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				args := make([]string, len(tt.args))
				for i, a := range tt.args {
					args[i] = strings.NewReplacer("FILE", path, "ZONE", zone).Replace(a)
				}
				var stdout, stderr bytes.Buffer
				status := run(context.Background(), args, &stdout, &stderr)
				want := strings.ReplaceAll(tt.wants, "FILE", path)
				if status != exitUsage || !strings.Contains(stderr.String(), want) {
					t.Errorf("exit status %d, stderr\n%.1000s\nwant 2 and\n%s", status, stderr.String(), want)
				}
				if n := stderr.Len() + stdout.Len(); n > 2000 {
					t.Errorf("%d bytes of output", n)
				}
			})
		})
	}
}
