// Package testtool gives spflab's tests the external tools and the built
// binary they run against: swaks, dig, nc, tmux, and spflab itself.
package testtool

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Need returns the path of an external tool, or skips the test without
// it — unless SPFLAB_REQUIRE_INTEROP=1 (CI), where a missing tool fails
// the test. install says how to get it.
func Need(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("SPFLAB_REQUIRE_INTEROP") == "1" {
		t.Fatalf("%s not found and SPFLAB_REQUIRE_INTEROP=1: %s", name, install)
	}
	t.Skipf("%s not found (%s); set SPFLAB_REQUIRE_INTEROP=1 to make this a failure", name, install)
	return ""
}

var built struct {
	once sync.Once
	dir  string
	bin  string
	out  []byte
	err  error
}

// Binary builds the spflab command of the package in dir (the module's
// root) once per test process and returns its path; -short skips the
// tests that need it.
func Binary(t testing.TB, dir string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the spflab binary")
	}
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "spflab-test-bin-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "spflab")
		cmd := exec.Command("go", "build", "-o", built.bin, ".")
		cmd.Dir = dir
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// Cleanup removes the binary Binary built; call it from TestMain after
// the tests ran.
func Cleanup() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// Scale is how much work a load test does: def, or the positive number in
// the environment variable name. go test ./... runs the defaults, which
// keep it quick; .ci/run sets the variables for the full runs the issues
// ask for, in steps of their own.
func Scale(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
