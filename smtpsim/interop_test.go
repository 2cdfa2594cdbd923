package smtpsim

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"spflab/internal/testtool"
)

// TestSwaksInterop runs the real swaks with XCLIENT against the server:
// the forbidden address gets SPF's 550, the permitted one is stored with
// Received-SPF: pass; with the sendmail personality swaks reads the
// article's words.
func TestSwaksInterop(t *testing.T) {
	swaks := testtool.Need(t, "swaks", "apt-get install -y swaks")
	type lab struct {
		srv *Server
		rec *Recorder
	}
	labs := map[Personality]lab{}
	for _, p := range []Personality{PersonalityGoSMTP, PersonalitySendmail} {
		srv, rec := startServer(t, Config{Personality: p})
		labs[p] = lab{srv, rec}
	}
	for _, tc := range []struct {
		name, addr, xname string
		personality       Personality
		exitOK            bool
		output            []string
		field             string
	}{
		{
			name: "forbidden", addr: "192.0.2.80", xname: "www.euston.net",
			output: []string{
				"-> XCLIENT ", "ADDR=192.0.2.80", "NAME=www.euston.net", // swaks orders them at random
				"<-  220 mail.example.com ESMTP Service Ready",
				"<** 550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net",
			},
		},
		{
			name: "permitted", addr: "192.0.2.25", xname: "mail.euston.net", exitOK: true,
			output: []string{"<-  250 2.0.0 OK: queued"},
			field:  "Received-SPF: pass (mail.example.com: domain of honeypot@euston.net designates 192.0.2.25 as permitted sender)",
		},
		{
			name: "sendmail forbidden", addr: "192.0.2.80", personality: PersonalitySendmail,
			output: []string{
				"<-  220 mail.example.com SMTP Server ready.",
				"<-  250-mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you",
				"<-  250 2.1.0 <honeypot@euston.net> Sender ok",
				"<** 550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected.",
				"<-  221 2.0.0 mail.example.com closing connection",
			},
		},
		{
			name: "sendmail permitted", addr: "192.0.2.25", personality: PersonalitySendmail, exitOK: true,
			output: []string{
				"<-  250 2.1.5 <user@example.com>... Recipient ok",
				`<-  354 Enter mail, end with "." on a line by itself`,
				"<-  250 2.0.0 m0000001 Message accepted for delivery",
			},
			field: "Received-SPF: pass (mail.example.com: domain of honeypot@euston.net designates 192.0.2.25 as permitted sender)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, rec := labs[tc.personality].srv, labs[tc.personality].rec
			before := srv.Mailbox().Len()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			args := []string{"--server", srv.Addr().String(), "--timeout", "10", "--xclient-addr", tc.addr}
			if tc.xname != "" {
				args = append(args, "--xclient-name", tc.xname)
			}
			cmd := exec.CommandContext(ctx, swaks, append(args,
				"--helo", "mail.euston.net", "--from", "honeypot@euston.net", "--to", "user@example.com",
				"--header", "Subject: swaks interop")...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if tc.exitOK && err != nil || !tc.exitOK && !errors.As(err, &exit) {
				t.Fatalf("swaks: %v\n%s", err, out)
			}
			for _, want := range tc.output {
				if !strings.Contains(string(out), want) {
					t.Errorf("swaks output lacks %q:\n%s", want, out)
				}
			}
			msgs := srv.Mailbox().Messages()
			if tc.field == "" {
				if len(msgs) != before {
					t.Fatalf("a refused message was stored")
				}
				return
			}
			if len(msgs) != before+1 {
				t.Fatalf("%d messages, want %d\n%s", len(msgs), before+1, out)
			}
			m := msgs[len(msgs)-1]
			var fields []string
			for _, f := range m.Fields {
				fields = append(fields, f.Name+": "+f.Value)
			}
			if !strings.Contains(strings.Join(fields, "\n"), tc.field) {
				t.Errorf("stored fields lack %q:\n%s", tc.field, strings.Join(fields, "\n"))
			}
			h, err := m.Header()
			if err != nil || h.Get("Subject") != "swaks interop" || m.ClientIP.String() != tc.addr {
				t.Errorf("stored message: %v %v from %s", h, err, m.ClientIP)
			}
			// The session's story, as swaks told it.
			evs := rec.Events(m.Session)
			if len(find(evs, EventXClient)) != 1 || len(find(evs, EventStored)) != 1 {
				t.Errorf("swaks session events: %s", kinds(evs))
			}
		})
	}
}
