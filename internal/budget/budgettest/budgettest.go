// Package budgettest measures, for the tests of input budgets, how much
// peak memory reading a hostile input takes: in a fresh process, so that
// the test process's own earlier peak cannot hide it.
package budgettest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// envChild names, in the child process, the test it runs.
const envChild = "SPFLAB_BUDGETTEST_CHILD"

// report is the line the child prints its growth on.
const report = "budgettest: peak memory grew by "

// PeakBounded runs f in a child process of the test binary (the same test,
// selected with -test.run) and fails t when f makes the child's peak
// resident memory (VmHWM) grow by more than most bytes (5 times as much
// under the race detector, which takes that much more), or when f fails.
// The test must call it once, with all its work inside f.
func PeakBounded(t *testing.T, most int64, f func(t *testing.T)) {
	t.Helper()
	most *= raceFactor
	if os.Getenv(envChild) == t.Name() {
		before := peak(t)
		f(t)
		fmt.Printf("%s%d\n", report, peak(t)-before)
		return
	}
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(parts, "/"), "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child process failed: %v\n%s", err, out)
	}
	i := strings.Index(string(out), report)
	if i < 0 {
		t.Fatalf("the child process did not report its memory:\n%s", out)
	}
	line, _, _ := strings.Cut(string(out[i+len(report):]), "\n")
	grew, err := strconv.ParseInt(line, 10, 64)
	if err != nil {
		t.Fatalf("the child process reported %q", line)
	}
	t.Logf("peak memory grew by %.1f MB", float64(grew)/(1<<20))
	if grew > most {
		t.Errorf("peak memory grew by %d bytes (%.1f MB), want at most %d (%.1f MB)", grew, float64(grew)/(1<<20), most, float64(most)/(1<<20))
	}
}

// peak returns the peak resident memory of the process so far, in bytes:
// VmHWM of /proc/self/status, else getrusage's maximum RSS.
func peak(t *testing.T) int64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return int64(ru.Maxrss) << 10 // kilobytes on Linux
}
