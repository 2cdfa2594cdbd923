package main

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"spflab/internal/testtool"
)

// TestServeSwaksDMARC: swaks against the built spflab serving the forged
// header From lesson. As the forger's own server (SPF pass for
// forger.example) with --header 'From: ceo@euston.net', the message gets
// DMARC's 550 5.7.26 after DATA, and the log shows the DMARC fail and
// nothing stored; with its own From it is delivered; and served without
// euston.net's DMARC record the forged From is delivered too.
func TestServeSwaksDMARC(t *testing.T) {
	t.Parallel()
	swaks := testtool.Need(t, "swaks", "apt-get install -y swaks")
	bin := testtool.Binary(t, ".")
	tests := []struct {
		name, lesson string
		header       []string // swaks --header arguments
		exitOK       bool
		reply        string // the reply after the message, in swaks's output
		dmarc        string // the DMARC result logged
	}{
		{"forged From, p=reject", "dmarc-forged-from", []string{"From: ceo@euston.net"}, false,
			"<** 550 5.7.26 Unauthenticated email from euston.net is not accepted due to domain's DMARC policy", "fail"},
		{"the forger's own From", "dmarc-forged-from", nil, true, "Message accepted for delivery", "none"},
		{"forged From, no DMARC record", "dmarc-forged-from-unprotected", []string{"From: ceo@euston.net"}, true, "Message accepted for delivery", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(bin, "serve", "--no-tui", "--json", "--scenario", tt.lesson, "--smtp", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--grace", "500ms")
			stdout := newLineBuffer()
			var stderr strings.Builder
			cmd.Stdout, cmd.Stderr = stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			l, _ := stdout.wait(t, 0, "listening", func(l string) bool {
				e := decodeLogLine(t, l)
				return e.Serve != nil && e.Serve.State == "listening"
			})
			smtpAddr := decodeLogLine(t, l).Serve.SMTP

			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			args := []string{"--server", smtpAddr, "--timeout", "10", "--xclient-addr", "203.0.113.66",
				"--helo", "mail.forger.example", "--from", "billing@forger.example", "--to", "user@example.com"}
			for _, h := range tt.header {
				args = append(args, "--header", h)
			}
			out, err := exec.CommandContext(ctx, swaks, args...).CombinedOutput()
			var exit *exec.ExitError
			if tt.exitOK && err != nil || !tt.exitOK && !errors.As(err, &exit) {
				t.Fatalf("swaks: %v\n%s", err, out)
			}
			// The reply comes after the message: 354, the lines, ".", then it.
			wantInOrder(t, string(out), "<-  354 ", " -> .\n", tt.reply)
			if len(tt.header) > 0 && !strings.Contains(string(out), " -> "+tt.header[0]) {
				t.Errorf("swaks did not send %q:\n%s", tt.header[0], out)
			}

			// The log: the DMARC decision before the reply, and a message
			// stored only when accepted.
			_, end := stdout.wait(t, 0, "the end of swaks's session", func(l string) bool {
				e := decodeLogLine(t, l)
				return e.SMTP != nil && e.SMTP.Kind == "close"
			})
			var results []string
			stored := false
			for _, l := range stdout.Lines()[:end+1] {
				var e struct {
					SMTP *struct {
						Kind        string
						DMARCPolicy *struct{ Result string } `json:"dmarc_policy"`
					}
				}
				if err := json.Unmarshal([]byte(l), &e); err != nil {
					t.Fatalf("log line %q: %v", l, err)
				}
				switch {
				case e.SMTP == nil:
				case e.SMTP.Kind == "dmarc-policy":
					results = append(results, e.SMTP.DMARCPolicy.Result)
				case e.SMTP.Kind == "stored":
					stored = true
				}
			}
			if len(results) != 1 || results[0] != tt.dmarc {
				t.Errorf("DMARC results logged %q, want %q", results, tt.dmarc)
			}
			if stored != tt.exitOK {
				t.Errorf("stored %v, want %v", stored, tt.exitOK)
			}
		})
	}
}
