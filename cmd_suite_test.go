package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSuiteCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const zone = "zonedata:\n  example.com:\n    - SPF: v=spf1 ip4:192.0.2.1 -all\n"
	passing := write("pass.yml", "description: ok\ntests:\n  t1:\n    helo: h.example.com\n    host: 192.0.2.1\n    mailfrom: a@example.com\n    result: pass\n"+zone)
	failing := write("fail.yml", "description: wrong\ntests:\n  t1:\n    helo: h.example.com\n    host: 192.0.2.9\n    mailfrom: a@example.com\n    result: [pass, neutral]\n    explanation: hi\n"+zone)
	empty := write("empty.yml", "")
	zoneOnly := write("zone.yml", "# zone data for doctests\nzonedata:\n  example.net:\n    - A: 192.0.2.10\n")
	pyspf := write("pyspf.yml", "comment: pyspf's own\ntests:\n  lax:\n    helo: h.example.com\n    host: 192.0.2.1\n    mailfrom: a@old.example.com\n    result: fail\n    strict: 0\n"+
		"  header:\n    helo: h.example.com\n    host: 192.0.2.1\n    mailfrom: a@old.example.com\n    result: neutral\n    receiver: rcv.example\n    header: Neutral client-ip=192.0.2.1; receiver=other.example\n"+
		"zonedata:\n  old.example.com:\n    - SPF: v=spf1 default=-\n")
	broken := write("broken.yml", "description: broken\ntests:\n  t1:\n    helo: h\n    host: not-an-ip\n    mailfrom: a@b\n    result: pass\n")

	tests := []struct {
		name   string
		args   []string
		status int
		stdout []string // substrings, in order
		stderr string
	}{
		{"pass", []string{"suite", passing}, 0, []string{"1 passed, 0 failed\n"}, ""},
		{"fail", []string{"suite", failing}, 1, []string{
			"FAIL wrong / t1 (" + failing + ":3)\n",
			"want pass or neutral, got fail",
			`explanation: want "hi", got "DEFAULT"`,
			"0 passed, 1 failed\n",
		}, ""},
		{"flag first", []string{"suite", "--json", failing}, 1, []string{`"failed": 1`, `"pass": false`}, ""},
		{"bad file", []string{"suite", broken}, 2, nil, broken + `:5: test t1: host "not-an-ip" is not an IP address`},
		{"missing file", []string{"suite", filepath.Join(dir, "none.yml")}, 2, nil, "none.yml"},
		{"no file", []string{"suite"}, 2, nil, "usage: spflab suite FILE [--json]"},
		{"no tests", []string{"suite", empty}, 2, nil, "spflab suite: " + empty + ": no tests: the suite holds no scenario\n"},
		{"zone data only", []string{"suite", zoneOnly}, 2, nil, "spflab suite: " + zoneOnly + ": no tests: 1 scenario of zone data only\n"},
		{"pyspf's format", []string{"suite", pyspf}, 1, []string{
			"FAIL pyspf's own / header (" + pyspf + ":9)\n",
			`  header:      receiver="rcv.example", want "other.example"` + "\n",
			"    want Neutral client-ip=192.0.2.1; receiver=other.example\n    got  neutral (rcv.example: 192.0.2.1 is neither permitted nor denied by domain of a@old.example.com) ",
			"OTHER MODE pyspf's own / lax (" + pyspf + ":3)\n",
			"  mode:        strict: 0, pyspf's lax mode, with extensions beyond RFC 7208\n",
			"  result:      want fail, got neutral\n",
			"0 passed, 1 failed, 1 written for another mode of pyspf (strict: 0 or 2; spflab checks RFC 7208)\n",
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(context.Background(), tt.args, &stdout, &stderr); got != tt.status {
				t.Errorf("exit status %d, want %d (stderr %q)", got, tt.status, stderr.String())
			}
			out := stdout.String()
			for _, want := range tt.stdout {
				i := strings.Index(out, want)
				if i < 0 {
					t.Fatalf("stdout lacks %q:\n%s", want, out)
				}
				out = out[i+len(want):]
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
		})
	}
}

// TestSuiteCommandRFC7208 runs the RFC 7208 suite as "spflab suite" does.
func TestSuiteCommandRFC7208(t *testing.T) {
	path := os.Getenv("SPF_SUITE")
	if path == "" {
		path = filepath.Join("..", "shared", "spf-suites")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "rfc7208-tests.yml")
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("SPFLAB_REQUIRE_INTEROP") == "1" {
			t.Fatal(err)
		}
		t.Skipf("the RFC 7208 suite is missing (%v); set SPF_SUITE", err)
	}
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"suite", path, "--json"}, &stdout, &stderr)
	var rep struct{ Passed, Failed int }
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stderr.String())
	}
	if status != 0 || rep.Passed != 203 || rep.Failed != 0 {
		t.Errorf("exit %d, %d passed, %d failed; want 0, 203, 0", status, rep.Passed, rep.Failed)
	}
}
