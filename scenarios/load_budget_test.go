package scenarios

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"spflab/internal/budget/budgettest"
)

// maxGrowth is how much peak memory a refused input may cost.
const maxGrowth = 100 << 20

// raise is the end of every budget error.
const raise = " (SPFLAB_BUDGET=N multiplies every budget by N)"

// txtBomb is a lesson whose zone has a 4 KB TXT record aliased 999 times,
// that list of records aliased by 1,000 names: 4 GB of text once expanded,
// from 40 KB. The 257th *txt (line 266) takes the aliases past 1 MiB.
func txtBomb() string {
	var b strings.Builder
	b.WriteString("scenarios:\n  - id: bomb\n    title: t\n    summary: s\n    client: 192.0.2.80\n    dialogue: [send: QUIT]\n    zones:\n")
	b.WriteString("      big.example: &zone\n        - TXT: &txt " + strings.Repeat("x", 4096) + "\n")
	for range 999 {
		b.WriteString("        - TXT: *txt\n")
	}
	for i := range 1000 {
		fmt.Fprintf(&b, "      n%d.example: *zone\n", i)
	}
	return b.String()
}

// dialogueBomb is a lesson whose 50-step dialogue (151 nodes) 1,000
// scenarios alias. The 67th alias (line 123) takes them past 10,000 nodes.
func dialogueBomb() string {
	var b strings.Builder
	b.WriteString("scenarios:\n  - id: s0\n    title: t\n    summary: s\n    client: 192.0.2.80\n    dialogue: &d\n")
	for range 50 {
		b.WriteString("      - send: NOOP\n")
	}
	for i := range 1000 {
		fmt.Fprintf(&b, "  - {id: s%d, title: t, summary: s, client: 192.0.2.80, dialogue: *d}\n", i+1)
	}
	return b.String()
}

// TestLessonBombs: each input once made spflab run out of memory (10 GB
// and more); each is refused, at the line where it goes over, for little
// memory.
func TestLessonBombs(t *testing.T) {
	tests := []struct {
		name string
		load func(t *testing.T, dir string) error
		want string
	}{
		{"aliased TXT in aliased zones", func(t *testing.T, dir string) error {
			_, err := Parse([]byte(txtBomb()), "bomb.yaml", nil)
			return err
		}, "bomb.yaml:266: budget: over the budget of 1 MiB for the text YAML aliases repeat in a document: with alias *txt, the aliases so far repeat 1052672 bytes of text" + raise},
		{"aliased dialogue", func(t *testing.T, dir string) error {
			_, err := Parse([]byte(dialogueBomb()), "bomb.yaml", nil)
			return err
		}, "bomb.yaml:123: budget: over the budget of 10000 nodes for what the YAML aliases of a document expand to: with alias *d, the aliases so far stand for 10117 nodes" + raise},
		{"200 MB file", func(t *testing.T, dir string) error {
			name := filepath.Join(dir, "big.yaml")
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			// Sparse: the rest of the 200 MB reads as zeros.
			if _, err := f.WriteString("scenarios:\n"); err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(200 << 20); err != nil {
				t.Fatal(err)
			}
			f.Close()
			_, err = LoadFile(name)
			return err
		}, "big.yaml:2: budget: over the budget of 1 MiB for a lesson file: the file goes on past it" + raise},
		{"100 MB id", func(t *testing.T, dir string) error {
			name := filepath.Join(dir, "id.yaml")
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w := bufio.NewWriter(f)
			w.WriteString("scenarios:\n  - id: ")
			chunk := strings.Repeat("x", 1<<20)
			for range 100 {
				w.WriteString(chunk)
			}
			w.WriteString("\n    title: t\n")
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			f.Close()
			_, err = LoadFile(name)
			return err
		}, "id.yaml:2: budget: over the budget of 1 MiB for a lesson file: the file goes on past it" + raise},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			budgettest.PeakBounded(t, maxGrowth, func(t *testing.T) {
				err := tt.load(t, t.TempDir())
				var errs Errors
				if !errors.As(err, &errs) || len(errs) != 1 {
					t.Fatalf("error %.2000v, want one", err)
				}
				if got := errs[0].Error(); !strings.HasSuffix(got, tt.want) {
					t.Errorf("error\n%s\nwant it to end in\n%s", got, tt.want)
				}
			})
		})
	}
}

// TestLessonLimits: over-long texts, deep nesting and syntax errors are
// reported at their line, quoting at most 64 bytes of the value.
func TestLessonLimits(t *testing.T) {
	longID := strings.Repeat("i", 512<<10)
	deep := strings.Repeat("[", 70) + strings.Repeat("]", 70)
	tests := []struct {
		name, src string
		want      wantErr
	}{
		{"512 KiB id", strings.Replace(scenario, "id: s", "id: "+longID, 1),
			wantErr{2, "scenarios[1].id", `"` + strings.Repeat("i", 64) + `"... (524288 bytes) is 524288 bytes long; an id has at most 64`}},
		{"65-byte id", strings.Replace(scenario, "id: s", "id: "+strings.Repeat("i", 65), 1),
			wantErr{2, "scenarios[1].id", "is 65 bytes long; an id has at most 64"}},
		{"long title", strings.Replace(scenario, "title: t", "title: "+strings.Repeat("t", 201), 1),
			wantErr{3, "s.title", "is 201 bytes long; a title has at most 200"}},
		{"long bad address", strings.Replace(scenario, "192.0.2.80", strings.Repeat("9", 1<<20-200), 1),
			wantErr{5, "s.client", `"` + strings.Repeat("9", 64) + `"... (1048376 bytes) is not an IPv4 or IPv6 address`}},
		{"deep nesting", strings.Replace(scenario, "summary: one line", "summary: "+deep, 1),
			wantErr{4, "budget", "over the budget of 64 levels for the nesting of a YAML document: this node is 65 levels deep"}},
		{"deeper than YAML allows, on line 1", "scenarios: " + strings.Repeat("[", 10001), wantErr{1, "yaml", "exceeded max depth of 10000"}},
		{"syntax error on line 1", "scenarios: a: b\n", wantErr{1, "yaml", "mapping values are not allowed in this context"}},
		{"unknown anchor", scenario + "    zones: *nowhere\n", wantErr{9, "yaml", "unknown anchor 'nowhere' referenced"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "lesson.yaml", testFS)
			var errs Errors
			if !errors.As(err, &errs) || len(errs) != 1 || !hasError(errs, tt.want) {
				t.Fatalf("error %.600v\nwant one at line %d, field %s: %.200s", err, tt.want.line, tt.want.field, tt.want.msg)
			}
			if n := len(err.Error()); n > 1000 {
				t.Errorf("%d bytes of error text", n)
			}
		})
	}
}

// TestZoneBudgetOfAFile: every scenario gets its own copy of the zones it
// names, so the records of all of them together are budgeted: a zone file
// of 60,000 names is fine for one scenario, not for two.
func TestZoneBudgetOfAFile(t *testing.T) {
	fsys := fstest.MapFS{"big.zone": {Data: []byte("$ORIGIN big.example.\n$GENERATE 0-59999 h$ A 192.0.2.1\n")}}
	one := "defaults:\n  zonefile: big.zone\n" + scenario
	if _, err := Parse([]byte(one), "lesson.yaml", fsys); err != nil {
		t.Fatalf("one scenario: %v", err)
	}
	two := one + strings.Replace(strings.TrimPrefix(scenario, "scenarios:\n"), "id: s", "id: s2", 1)
	_, err := Parse([]byte(two), "lesson.yaml", fsys)
	var errs Errors
	want := wantErr{11, "budget", "over the budget of 100000 records for the zones of a file: the zones of the scenarios up to this one hold more"}
	if !errors.As(err, &errs) || len(errs) != 1 || !hasError(errs, want) {
		t.Errorf("two scenarios: error %v, want %+v", err, want)
	}
}

// TestZoneFileStaysInside: a lesson's zonefile: is a regular file in the
// lesson's folder, not a symbolic link, not reached through one leading
// out, not a FIFO that would block.
func TestZoneFileStaysInside(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "lesson")
	outside := filepath.Join(root, "outside")
	for _, d := range []string{dir, outside, filepath.Join(dir, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	zone := []byte("$ORIGIN euston.net.\n@ IN TXT \"v=spf1 -all\"\n")
	for _, f := range []string{filepath.Join(outside, "secret.zone"), filepath.Join(dir, "sub", "ok.zone")} {
		if err := os.WriteFile(f, zone, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"link.zone":  "../outside/secret.zone",
		"inner.zone": "sub/ok.zone",
		"out":        "../outside",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.zone"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ zonefile, want string }{
		{"sub/ok.zone", ""},
		{"link.zone", `"link.zone" is a symbolic link`},
		{"inner.zone", `"inner.zone" is a symbolic link`},
		{"out/secret.zone", "path escapes from parent"},
		{"fifo.zone", `"fifo.zone" is not a regular file`},
		{"../outside/secret.zone", "must be a path relative to the scenarios file's folder, inside it"},
	}
	for _, tt := range tests {
		t.Run(tt.zonefile, func(t *testing.T) {
			name := filepath.Join(dir, "lesson.yaml")
			if err := os.WriteFile(name, []byte("defaults:\n  zonefile: "+tt.zonefile+"\n"+scenario), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFile(name)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "lesson.yaml:2: defaults.zonefile: ")):
				t.Errorf("error %v, want one at lesson.yaml:2 saying %q", err, tt.want)
			}
		})
	}
}
