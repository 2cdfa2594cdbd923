package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"spflab/scenarios"
)

// The lesson commands: list, run and test, on the embedded lessons and on
// files of a teacher's own.
func TestLessonCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const lesson = `scenarios:
  - id: wrong
    title: Wrong expectations
    summary: The server does not answer what this file says.
    client: 192.0.2.80
    zones:
      euston.net:
        - MX: [10, mail.euston.net]
        - TXT: "v=spf1 ip4:192.0.2.25 -all"
    dialogue:
      - send: HELO mail.euston.net
        expect: {code: 250}
      - send: MAIL From:honeypot@euston.net
        expect: {code: 250}
      - send: RCPT To:user@example.com
        expect: {code: 250, spf: pass}
      - send: QUIT
`
	failing := write("failing.yaml", lesson)
	broken := write("broken.yaml", "scenarios:\n  - id: x\n    title: t\n    client: 192.0.2.300\n    dialogue: []\n")
	n := len(mustLessons(t).Scenarios)

	tests := []struct {
		name   string
		args   []string
		status int
		stdout []string // substrings, in order
		stderr string
	}{
		{"test the built-in lessons", []string{"test"}, 0, []string{fmt.Sprintf("%d passed, 0 failed\n", n)}, ""},
		{"test -v", []string{"test", "-v"}, 0, []string{"ok   seed-honest (", "ok   seed-spf-fail (", "passed, 0 failed\n"}, ""},
		{"test a teacher's file", []string{"test", "testdata/lessons/strict-server.yaml"}, 0, []string{"4 passed, 0 failed\n"}, ""},
		{"test failures", []string{"test", failing}, 1, []string{
			"FAIL wrong (" + failing + ":2)\n",
			"  step 3 (line 16): code: expected 250, got 550\n",
			"  step 3 (line 16): spf: expected pass, got fail\n",
			"0 passed, 1 failed\n",
		}, ""},
		{"test a broken file", []string{"test", broken}, 2, nil, broken + ":4: x.client: \"192.0.2.300\" is not an IPv4 or IPv6 address"},
		{"test two files", []string{"test", failing, broken}, 2, nil, "usage: spflab test"},
		{"list", []string{"list"}, 0, []string{"ID", "TITLE", "SUMMARY", "seed-honest", "An honest message from mail.euston.net", "null-sender-helo"}, ""},
		{"list a file", []string{"list", "--scenarios", failing}, 0, []string{"wrong", "Wrong expectations", "The server does not answer"}, ""},
		{"run text", []string{"run", "seed-spf-fail"}, 0, []string{
			"== seed-spf-fail:", "C: RCPT To: <user@example.com>", "    spf -all: match → fail", "S: 550 5.7.23 SPF test returned fail",
		}, ""},
		{"run two, markdown", []string{"run", "--format", "markdown", "seed-helo-lie", "seed-spf-fail"}, 0, []string{
			"# The HELO that lies", "\n---\n\n# SPF -all refuses www.euston.net",
		}, ""},
		{"run a draft record", []string{"run", "seed-spf-fail", "--record", "euston.net=v=spf1 ip4:192.0.2.25 ip4:192.0.2.80 -all"}, 0, []string{
			"S: 250 2.1.5 <user@example.com>... Recipient ok", "    ✗ code: expected 550, got 250",
		}, ""},
		{"run a file", []string{"run", "--scenarios", failing, "--all"}, 0, []string{"== wrong: Wrong expectations =="}, ""},
		{"run an unknown id", []string{"run", "nope"}, 2, nil, `no scenario "nope" in scenarios.yaml`},
		{"run without ids", []string{"run"}, 2, nil, "name scenarios or give --all"},
		{"run ids and --all", []string{"run", "--all", "seed-honest"}, 2, nil, "name scenarios or give --all"},
		{"run an unknown format", []string{"run", "--format", "html", "seed-honest"}, 2, nil, `unknown format "html"`},
		{"run a bad draft flag", []string{"run", "--record", "euston.net", "seed-honest"}, 2, nil, "want DOMAIN=RECORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			status := run(context.Background(), tt.args, &out, &errOut)
			if status != tt.status {
				t.Errorf("status %d, want %d\nstdout:\n%s\nstderr:\n%s", status, tt.status, out.String(), errOut.String())
			}
			rest := out.String()
			for _, s := range tt.stdout {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("stdout has no %q (in order) in:\n%s", s, out.String())
				}
				rest = rest[i+len(s):]
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr %q has no %q", errOut.String(), tt.stderr)
			}
		})
	}
}

func mustLessons(t *testing.T) *scenarios.File {
	t.Helper()
	f, err := loadLessons("")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRunAllJSON checks that run --all --format json is one JSON object
// per line, every lesson's events in turn, each event told apart by its
// kind, and the server's by their own kind inside "smtp".
func TestRunAllJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	if status := run(context.Background(), []string{"run", "--all", "--format", "json"}, &out, &errOut); status != 0 {
		t.Fatalf("status %d: %s", status, errOut.String())
	}
	seen := make(map[string]bool)
	kinds := make(map[string]int)
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var e struct {
			Scenario string `json:"scenario"`
			Kind     string `json:"kind"`
			SMTP     *struct {
				Kind string `json:"kind"`
			} `json:"smtp"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		seen[e.Scenario] = true
		if (e.Kind == "smtp") != (e.SMTP != nil) {
			t.Fatalf("kind %q with smtp %v: %s", e.Kind, e.SMTP, line)
		}
		if e.SMTP != nil {
			kinds["smtp/"+e.SMTP.Kind]++
		} else {
			kinds[e.Kind]++
		}
	}
	for _, id := range mustLessons(t).IDs() {
		if !seen[id] {
			t.Errorf("no events of %s", id)
		}
	}
	for _, k := range []string{"lesson", "narration", "notice", "check", "smtp/connect", "smtp/client", "smtp/reply",
		"smtp/dns", "smtp/helo", "smtp/spf", "smtp/policy", "smtp/xclient", "smtp/header", "smtp/stored", "smtp/close"} {
		if kinds[k] == 0 {
			t.Errorf("no %s event: %v", k, kinds)
		}
	}
	if kinds["unknown"]+kinds["smtp/unknown"]+kinds["smtp/"] > 0 {
		t.Errorf("events of no known kind: %v", kinds)
	}
}
