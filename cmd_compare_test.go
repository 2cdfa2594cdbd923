package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"spflab/internal/testtool"
)

// The world of the compare benchmark and memory test: the draft narrows
// example.com's own range to 192.0.2.0/25 and softens -all to ~all.
const (
	compareZone = `example.com:
  - TXT: v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all
  - TXT: google-site-verification=abc
_spf.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/24 ~all
other.org:
  - TXT: v=spf1 ip4:203.0.113.0/24 -all
mail.example.com:
  - A: 192.0.2.25
`
	compareDraft = "v=spf1 ip4:192.0.2.0/25 include:_spf.example.net ~all"
)

// compareRows is an io.Reader of a senders file: a header, then n rows
// cycling through seven kinds of sender (pass or fail either way, pass to
// softfail, fail to softfail, another domain, a bounce), 2 of 7 changed.
type compareRows struct {
	n, i    int
	pending []byte // the rest of the line being read
}

func (g *compareRows) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(g.pending) == 0 {
			if g.i > g.n {
				break
			}
			g.pending = g.appendRow(g.pending[:0])
			g.i++
		}
		c := copy(p[n:], g.pending)
		n += c
		g.pending = g.pending[c:]
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// appendRow appends line g.i: the header, then row g.i-1.
func (g *compareRows) appendRow(b []byte) []byte {
	if g.i == 0 {
		return append(b, "ip,sender,helo\n"...)
	}
	i := g.i - 1
	ip := func(prefix string, last int) { b = strconv.AppendInt(append(b, prefix...), int64(last), 10) }
	user := func(sep, local string) { b = strconv.AppendInt(append(b, sep+local...), int64(i), 10) }
	switch i % 7 {
	case 0: // pass → pass
		ip("192.0.2.", i%128)
		user(",", "user")
		b = append(b, "@example.com,mail.example.com"...)
	case 1: // pass → softfail
		ip("192.0.2.", 128+i%128)
		user(",", "user")
		b = append(b, "@example.com,mail.example.com"...)
	case 2: // the include: pass → pass
		ip("198.51.100.", i%256)
		user(",<", "news")
		b = append(b, "@example.com>,out.example.net"...)
	case 3: // fail → softfail
		ip("203.0.113.", i%256)
		user(",", "spoof")
		b = append(b, "@example.com,mail.example.org"...)
	case 4: // another domain: pass → pass
		ip("203.0.113.", i%256)
		user(",", "a")
		b = append(b, "@other.org,mx.other.org"...)
	case 5: // fail → fail
		ip("192.0.2.", i%256)
		user(",", "a")
		b = append(b, "@other.org,mx.other.org"...)
	case 6: // a bounce: the HELO identity, no record
		ip("192.0.2.", i%256)
		b = append(b, ",<>,mail.example.com"...)
	}
	return append(b, '\n')
}

// compareArgs writes the zone into dir and returns the command line of a
// comparison over senders.
func compareArgs(tb testing.TB, dir, senders string) []string {
	tb.Helper()
	zone := filepath.Join(dir, "world.yml")
	if err := os.WriteFile(zone, []byte(compareZone), 0o644); err != nil {
		tb.Fatal(err)
	}
	return []string{"check", "example.com", "--zone", zone, "--record", compareDraft, "--compare", "--senders", senders}
}

// compareSummary is the first line of the report of rows rows.
func compareSummary(rows int) string {
	changed := rows / 7 * 2 // kinds 1 and 3 of each seven
	for i := range rows % 7 {
		if i == 1 || i == 3 {
			changed++
		}
	}
	return fmt.Sprintf("example.com: the draft changes the result of %d of %d rows", changed, rows)
}

func TestCompareRows(t *testing.T) {
	// The generator and the summary agree with a comparison of a few rows.
	for _, n := range []int{2, 4, 7, 100} {
		dir := t.TempDir()
		path := filepath.Join(dir, "senders.csv")
		data, _ := io.ReadAll(&compareRows{n: n})
		if got := bytes.Count(data, []byte{'\n'}); got != n+1 {
			t.Fatalf("%d rows: %d lines", n, got)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := spflab(compareArgs(t, dir, path)...)
		if code > exitFail || !strings.HasPrefix(stdout, compareSummary(n)) {
			t.Errorf("%d rows: status %d, stdout %q, stderr %q; want %q", n, code, stdout, stderr, compareSummary(n))
		}
	}
}

// BenchmarkCompareCSV runs the whole command, spflab check --compare,
// over a generated 1M-row CSV file (written once) and an in-memory zone:
// rows/s from reading the file to printing the report, and cpu-ns/row,
// the CPU time of the process per row (on a shared machine it measures
// the work, where wall time also counts the waits for a core).
func BenchmarkCompareCSV(b *testing.B) {
	const rows = 1_000_000
	dir := b.TempDir()
	path := filepath.Join(dir, "senders.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := io.Copy(w, &compareRows{n: rows}); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	args := compareArgs(b, dir, path)
	want := compareSummary(rows)
	cpu := processCPU()
	for b.Loop() {
		code, stdout, stderr := spflab(args...)
		if code != exitFail || !strings.HasPrefix(stdout, want) {
			b.Fatalf("status %d, stderr %q, stdout starts %q", code, stderr, stdout[:min(len(stdout), 200)])
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(processCPU()-cpu)/float64(rows*b.N), "cpu-ns/row")
	b.ReportMetric(0, "ns/op")
}

// processCPU is the CPU time the process has used, in nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// rssChildRows, set in the environment, makes TestCompareRSSChild run a
// comparison of that many rows.
const rssChildRows = "SPFLAB_TEST_COMPARE_RSS_ROWS"

// TestCompareRSS streams 10M generated rows (some 480 MB, past the
// budget of a senders file, so the child runs with SPFLAB_BUDGET=4)
// through spflab check --compare on standard input in a child process,
// and reads the child's peak resident set (VmHWM): the comparison keeps
// only counts and a few rows per change, so it must stay flat: under
// 32 MB, and within 8 MB of a run of 100,000 rows.
func TestCompareRSS(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("streams millions of rows through a comparison: not with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads VmHWM from /proc/self/status: Linux only")
	}
	const limit = 32 << 10 // KiB
	peak := func(rows int) int {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCompareRSSChild$", "-test.v")
		cmd.Env = append(os.Environ(), rssChildRows+"="+strconv.Itoa(rows), "SPFLAB_BUDGET=4")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%d rows: %v\n%s", rows, err, out)
		}
		_, after, ok := bytes.Cut(out, []byte("VmHWM:"))
		var kb int
		if _, err := fmt.Sscan(string(after), &kb); !ok || err != nil {
			t.Fatalf("%d rows: no VmHWM in the child's output:\n%s", rows, out)
		}
		t.Logf("%d rows: peak RSS %d KiB", rows, kb)
		return kb
	}
	// 2M rows by default, so that go test . stays quick; .ci/run streams
	// the 10M of issue 14 (SPFLAB_RSS_ROWS=10000000).
	rows := testtool.Scale("SPFLAB_RSS_ROWS", 2_000_000)
	small, large := peak(100_000), peak(rows)
	if large > limit || large > small+8<<10 {
		t.Errorf("%d rows: peak RSS %d KiB; want at most %d KiB, and at most 8 MiB more than with 100k rows (%d KiB)", rows, large, limit, small)
	}
}

// TestCompareRSSChild is the child of TestCompareRSS: it runs the
// comparison with rssChildRows generated rows on standard input and
// prints its VmHWM line.
func TestCompareRSSChild(t *testing.T) {
	rows, err := strconv.Atoi(os.Getenv(rssChildRows))
	if err != nil {
		t.Skip("the child of TestCompareRSS")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		io.Copy(w, &compareRows{n: rows})
		w.Close()
	}()
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin; r.Close() }()
	code, stdout, stderr := spflab(compareArgs(t, t.TempDir(), "-")...)
	if code != exitFail || !strings.HasPrefix(stdout, compareSummary(rows)) {
		t.Fatalf("status %d, stderr %q, stdout %q", code, stderr, stdout)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Print(line)
		}
	}
}
