package suite

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"spflab/internal/budget/budgettest"
)

// raise is the end of every budget error.
const raise = " (SPFLAB_BUDGET=N multiplies every budget by N)"

// gzipBomb writes a 4 MB gzip file that expands to 4 GiB of empty YAML
// lines: 4,096 gzip members (RFC 1952 §2.2) of 1 MiB each, compressed
// once.
func gzipBomb(t *testing.T, path string) {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(bytes.Repeat([]byte{'\n'}, 1<<20))
	zw.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for range 4096 {
		if _, err := f.Write(member.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if info, err := f.Stat(); err != nil || info.Size() > 5<<20 {
		t.Fatalf("the bomb is %d bytes, %v", info.Size(), err)
	}
}

// aliasBomb is a suite whose zonedata has a 4 KB TXT record aliased 999
// times in a list 1,000 names alias. The 257th *txt (line 267) takes the
// aliases past 1 MiB of text.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("description: bomb\ntests:\n  t1:\n    helo: h.example\n    host: 192.0.2.1\n    mailfrom: a@big.example\n    result: pass\nzonedata:\n")
	b.WriteString("  big.example: &zone\n    - TXT: &txt " + strings.Repeat("x", 4096) + "\n")
	for range 999 {
		b.WriteString("    - TXT: *txt\n")
	}
	for i := range 1000 {
		fmt.Fprintf(&b, "  n%d.example: *zone\n", i)
	}
	return b.String()
}

// TestSuiteBudgets: suites that made spflab run out of memory are refused
// at the line where they go over, for little memory.
func TestSuiteBudgets(t *testing.T) {
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
		want  string
	}{
		{"4 MB gzip of 4 GiB", gzipBomb,
			"bomb:1048577: over the budget of 1 MiB for a suite file (compressed or not): the file goes on past it" + raise},
		{"1 MiB of empty gzip members", func(t *testing.T, path string) {
			var member bytes.Buffer
			zw := gzip.NewWriter(&member)
			zw.Close()
			if err := os.WriteFile(path, bytes.Repeat(member.Bytes(), 1<<20/member.Len()+1), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "bomb: over the budget of 1 MiB for a suite file (compressed or not): the file goes on past it" + raise},
		{"aliases", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(aliasBomb()), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "bomb:267: over the budget of 1 MiB for the text YAML aliases repeat in a document: with alias *txt, the aliases so far repeat 1052672 bytes of text" + raise},
		{"200 MB file", func(t *testing.T, path string) {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.WriteString(smallSuite)
			if err := f.Truncate(200 << 20); err != nil { // sparse
				t.Fatal(err)
			}
		}, fmt.Sprintf("bomb:%d: over the budget of 1 MiB for a suite file (compressed or not): the file goes on past it", strings.Count(smallSuite, "\n")+1) + raise},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			budgettest.PeakBounded(t, 100<<20, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "bomb")
				tt.write(t, path)
				_, err := ParseFile(path)
				if want := filepath.Dir(path) + "/" + tt.want; err == nil || err.Error() != want {
					t.Errorf("error\n%.500v\nwant\n%s", err, want)
				}
			})
		})
	}
}

// TestEmptySuite: a suite without a test is an error, so that a CI gate
// on an empty or truncated file does not pass.
func TestEmptySuite(t *testing.T) {
	for _, data := range []string{"", "# only a comment\n", "---\n---\n", "~\n"} {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(data))
		zw.Close()
		for name, r := range map[string]*bytes.Reader{"e.yml": bytes.NewReader([]byte(data)), "e.yml.gz": bytes.NewReader(buf.Bytes())} {
			if s, err := Parse(r, name); err == nil || err.Error() != name+": no tests: the suite holds no scenario" {
				t.Errorf("%s %q: suite %v, error %v", name, data, s, err)
			}
		}
	}
}
