package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"spflab/livedns"
	"spflab/smtpsim"
)

// snakeCase is the one convention of every JSON key spflab writes (SARIF,
// whose schema names its own keys, aside).
var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// badKeys decodes every JSON value in out (one document, or one per line)
// and returns the keys that are not snake_case, each with its path.
func badKeys(t *testing.T, out string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var bad []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !snakeCase.MatchString(k) {
					bad = append(bad, path+"."+k)
				}
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	values := 0
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		values++
		walk("", v)
	}
	if values == 0 {
		t.Fatal("no JSON value in the output")
	}
	slices.Sort(bad)
	return slices.Compact(bad)
}

// TestJSONKeys walks every JSON output of spflab and rejects any key that
// is not snake_case (issue 13).
func TestJSONKeys(t *testing.T) {
	dns := serveWorld(t, liveWorld)
	dir := t.TempDir()
	senders := filepath.Join(dir, "senders.csv")
	if err := os.WriteFile(senders, []byte("ip,sender,helo\n192.0.2.200,a@example.com,h.example.com\nnope,b@example.com,h\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	suite := filepath.Join(dir, "suite.yml")
	if err := os.WriteFile(suite, []byte("description: d\ntests:\n  t1:\n    helo: h.example.com\n    host: 192.0.2.9\n    mailfrom: a@example.com\n    result: pass\n    explanation: x\nzonedata:\n  example.com:\n    - SPF: v=spf1 ip4:192.0.2.1 -all\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outputs := map[string][]string{
		"check --json":       {"check", "example.com", "--dns", dns, "--ip", "192.0.2.99", "--record", "v=spf1 include:_spf.example.net mx exists:%{i}.example.com -all", "--json"},
		"check --json error": {"check", "example.com", "--dns", dns, "--ip", "192.0.2.99", "--record", "v=spf1 include:nospf.example.net -all", "--json"},
		"compare --json":     {"check", "example.com", "--dns", dns, "--record", "v=spf1 -all", "--compare", "--senders", senders, "--json"},
		"compare reports":    {"check", "example.com", "--dns", dns, "--record", "v=spf1 -all", "--compare", "--senders", filepath.Join("testdata", "dmarc"), "--json"},
		"lint --flatten":     {"lint", "example.com", "--dns", dns, "--flatten", "--json"},
		"lint --format json": {"lint", "example.com", "--dns", dns, "--record", "v=spf1 ptr include:nospf.example.net a:none.example.org ip4:10.0.0.0/7 -all", "--format", "json"},
		"lint --rules":       {"lint", "--rules", "--json"},
		"suite --json":       {"suite", suite, "--json"},
		"run --format json":  {"run", "--all", "--format", "json"},
	}
	for name, args := range outputs {
		t.Run(name, func(t *testing.T) {
			_, stdout, stderr := spflab(args...)
			if bad := badKeys(t, stdout); len(bad) > 0 {
				t.Errorf("keys not in snake_case: %s\nstderr %s", strings.Join(bad, ", "), stderr)
			}
		})
	}
	t.Run("serve --json", func(t *testing.T) {
		s := startServe(t)
		smtpDialogue(t, s.smtp, "XCLIENT ADDR=192.0.2.80", "EHLO mail.euston.net", "MAIL From:honeypot@euston.net", "RCPT To:user@example.com", "QUIT")
		sendMessage(t, s.smtp)
		if _, err := livedns.NewClient(s.dns).LookupTXT(context.Background(), "euston.net"); err != nil {
			t.Fatal(err)
		}
		s.stop(t)
		log := s.stdout.String()
		if bad := badKeys(t, log); len(bad) > 0 {
			t.Errorf("keys not in snake_case: %s", strings.Join(bad, ", "))
		}
		// Every kind of entry was there to be checked.
		var kinds []string
		for _, l := range s.stdout.Lines() {
			var e struct {
				Source string `json:"source"`
				SMTP   *struct {
					Kind string `json:"kind"`
				} `json:"smtp"`
			}
			json.Unmarshal([]byte(l), &e)
			if e.SMTP != nil {
				kinds = append(kinds, e.SMTP.Kind)
			} else {
				kinds = append(kinds, e.Source)
			}
		}
		sort.Strings(kinds)
		kinds = slices.Compact(kinds)
		for _, k := range []string{"dns", "serve", "spf", "policy", "helo", "xclient", "header", "stored", "reply"} {
			if !slices.Contains(kinds, k) {
				t.Errorf("the log has no %s entry (kinds %v)", k, kinds)
			}
		}
	})
}

// sendMessage delivers a message over SMTP at addr.
func sendMessage(t *testing.T, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, err := smtpsim.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, l := range []string{"XCLIENT ADDR=192.0.2.25", "HELO mail.euston.net", "MAIL From:<a@euston.net>", "RCPT To:user@example.com", "DATA"} {
		if _, err := c.Send(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WriteRaw([]byte("Subject: x\r\n\r\nhi\r\n.\r\n")); err != nil {
		t.Fatal(err)
	}
	if r, err := c.ReadReply(); err != nil || r.Code != 250 {
		t.Fatalf("end of DATA: %v %v", r, err)
	}
}
