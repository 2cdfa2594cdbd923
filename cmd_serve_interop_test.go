package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"spflab/internal/testtool"
)

// Interop tests: spflab serve against the real clients of a classroom,
// swaks, dig and nc. Without a client they skip, unless
// SPFLAB_REQUIRE_INTEROP=1 (CI), where they fail.

// TestServeSwaks: swaks --xclient-addr gets SPF's 550 for the address
// euston.net forbids and 250 for the one it permits, and the JSON log
// shows the stored message with its Received-SPF field.
func TestServeSwaks(t *testing.T) {
	t.Parallel()
	swaks := testtool.Need(t, "swaks", "apt-get install -y swaks")
	s := startServe(t) // seed-spf-fail: euston.net publishes v=spf1 ip4:192.0.2.25 -all
	tests := []struct {
		name, addr string
		exitOK     bool
		output     string
		field      string // the Received-SPF field logged, "" when refused
	}{
		{"forbidden", "192.0.2.80", false, // in the article's words: the lesson's server is sendmail
			"<** 550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected.", ""},
		{"permitted", "192.0.2.25", true,
			"<-  250 2.0.0 m0000001 Message accepted for delivery",
			"pass (mail.example.com: domain of honeypot@euston.net designates 192.0.2.25 as permitted sender) client-ip=192.0.2.25;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := len(s.stdout.Lines())
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			// The command the hints print, with the address of the case.
			out, err := exec.CommandContext(ctx, swaks, "--server", s.smtp, "--timeout", "10", "--xclient-addr", tt.addr,
				"--helo", "mail.euston.net", "--from", "honeypot@euston.net", "--to", "user@example.com").CombinedOutput()
			var exit *exec.ExitError
			if tt.exitOK && err != nil || !tt.exitOK && !errors.As(err, &exit) {
				t.Fatalf("swaks: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), tt.output) {
				t.Errorf("swaks output lacks %q:\n%s", tt.output, out)
			}
			// The session's end in the log: stored with Received-SPF, or not.
			_, end := s.stdout.wait(t, mark, "closing swaks's session", func(l string) bool {
				e := decodeLogLine(t, l)
				return e.SMTP != nil && e.SMTP.Kind == "close"
			})
			var fields []string
			stored := false
			for _, l := range s.stdout.Lines()[mark : end+1] {
				e := decodeLogLine(t, l)
				switch {
				case e.SMTP == nil:
				case e.SMTP.Kind == "header" && e.SMTP.Field.Name == "Received-SPF":
					fields = append(fields, e.SMTP.Field.Value)
				case e.SMTP.Kind == "stored":
					stored = true
				}
			}
			switch {
			case tt.field == "" && (stored || len(fields) > 0):
				t.Errorf("a refused message was stored: %q", fields)
			case tt.field != "" && (!stored || len(fields) != 1 || !strings.HasPrefix(fields[0], tt.field)):
				t.Errorf("stored %v with Received-SPF %q, want one starting %q", stored, fields, tt.field)
			}
		})
	}
}

// TestServeDig: dig gets the lesson's TXT, MX and PTR answers, over UDP
// and TCP, NXDOMAIN for a name the lesson does not have, and the log
// shows each query.
func TestServeDig(t *testing.T) {
	t.Parallel()
	dig := testtool.Need(t, "dig", "apt-get install -y bind9-dnsutils")
	s := startServe(t)
	host, port, _ := net.SplitHostPort(s.dns)
	tests := []struct {
		args []string
		want []string // in dig's output, in order
	}{
		{[]string{"TXT", "euston.net"}, []string{"status: NOERROR", "flags: qr aa", "euston.net.\t\t3600\tIN\tTXT\t\"v=spf1 ip4:192.0.2.25 -all\""}},
		{[]string{"TXT", "mail.euston.net", "+tcp"}, []string{"status: NOERROR", "mail.euston.net.\t3600\tIN\tTXT\t\"v=spf1 ip4:192.0.2.25 -all\"", "(TCP)"}},
		{[]string{"MX", "euston.net"}, []string{"status: NOERROR", "euston.net.\t\t3600\tIN\tMX\t10 mail.euston.net."}},
		{[]string{"MX", "example.com"}, []string{"status: NOERROR", "IN\tMX\t10 mail.example.com."}},
		{[]string{"-x", "192.0.2.80"}, []string{"status: NOERROR", "80.2.0.192.in-addr.arpa. 3600\tIN\tPTR\twww.euston.net."}},
		{[]string{"-x", "192.0.2.25"}, []string{"25.2.0.192.in-addr.arpa. 3600\tIN\tPTR\tmail.euston.net."}},
		{[]string{"TXT", "your.friend"}, []string{"status: NXDOMAIN", "ANSWER: 0"}},
		{[]string{"A", "nowhere.euston.net", "+tcp"}, []string{"status: NXDOMAIN", "euston.net.\t\t3600\tIN\tSOA\tgw.euston.net. root.gw.euston.net. 2008010800"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"@" + host, "-p", port, "+time=2", "+tries=1"}, tt.args...)
			out, err := exec.Command(dig, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("dig %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			wantInOrder(t, string(out), tt.want...)
		})
	}
	// Each query is in the log, with its transport.
	for _, want := range []string{"udp", "tcp"} {
		s.stdout.wait(t, 0, "for a "+want+" TXT query", func(l string) bool {
			e := decodeLogLine(t, l)
			return e.DNS != nil && e.DNS.Net == want && e.DNS.Type == "TXT" && e.DNS.Rcode == "NOERROR"
		})
	}
	s.stdout.wait(t, 0, "for NXDOMAIN", func(l string) bool {
		e := decodeLogLine(t, l)
		return e.DNS != nil && e.DNS.Name == "your.friend." && e.DNS.Rcode == "NXDOMAIN" && strings.HasSuffix(e.Text, "TXT your.friend. → NXDOMAIN")
	})
}

// ncSession is nc -C connected to the lab: lines are typed one at a
// time, as a person would, and each reply read before the next line.
type ncSession struct {
	t     *testing.T
	stdin io.WriteCloser
	out   *bufio.Reader
	cmd   *exec.Cmd
}

func startNC(t *testing.T, nc, addr string) *ncSession {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(nc, "-C", host, port)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &ncSession{t: t, stdin: stdin, out: bufio.NewReader(stdout), cmd: cmd}
}

// reply reads one reply, all its lines.
func (s *ncSession) reply() string {
	s.t.Helper()
	type result struct {
		text string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		var lines []string
		for {
			l, err := s.out.ReadString('\n')
			if err != nil {
				ch <- result{strings.Join(lines, "\n"), err}
				return
			}
			l = strings.TrimRight(l, "\r\n")
			lines = append(lines, l)
			if len(l) < 4 || l[3] != '-' {
				ch <- result{strings.Join(lines, "\n"), nil}
				return
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			s.t.Fatalf("nc: reading a reply: %v (read %q)", r.err, r.text)
		}
		return r.text
	case <-time.After(waitFor):
		s.t.Fatalf("nc: no reply within %v", waitFor)
		return ""
	}
}

// TestServeNC types the article's sessions into nc: "MAIL From:" without
// brackets, the 553 for an imaginary domain, the SPF 550 after RCPT — from
// loopback, then as www.euston.net with an XCLIENT line first.
func TestServeNC(t *testing.T) {
	t.Parallel()
	nc := testtool.Need(t, "nc", "apt-get install -y netcat-openbsd")
	tests := []struct {
		lesson string
		typed  [][2]string // a line, and the start of its reply
	}{
		{"seed-no-such-domain", [][2]string{
			{"HELO mail.euston.net", "250 mail.example.com Hello [127.0.0.1], pleased to meet you"},
			{"MAIL From:buddy@your.friend", "553 5.1.8 buddy@your.friend... Domain of sender address buddy@your.friend does not exist"},
			{"MAIL From:honeypot@euston.net", "250 "},
			{"RCPT To:user@example.com", "250 "}, // no SPF record yet: accepted
			{"QUIT", "221 "},
		}},
		{"seed-spf-fail", [][2]string{
			{"HELO mail.euston.net", "250 "},
			{"MAIL From:honeypot@euston.net", "250 "},
			{"RCPT To:user@example.com", "550 5.7.23 SPF test returned fail for 127.0.0.1: ip=127.0.0.1 sender=honeypot@euston.net helo=mail.euston.net. Command rejected."},
			{"QUIT", "221 "},
		}},
		{"seed-spf-fail", [][2]string{
			{"XCLIENT ADDR=192.0.2.80", "220 mail.example.com"},
			{"HELO mail.euston.net", "250 mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you"},
			{"MAIL From: <honeypot@euston.net>", "250 2.1.0 <honeypot@euston.net> Sender ok"},
			{"RCPT To: <user@example.com>", "550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected."},
			{"QUIT", "221 "},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lesson+" "+tt.typed[0][0], func(t *testing.T) {
			s := startServe(t, "--scenario", tt.lesson)
			n := startNC(t, nc, s.smtp)
			if g := n.reply(); !strings.HasPrefix(g, "220 mail.example.com") {
				t.Fatalf("greeting %q", g)
			}
			for _, line := range tt.typed {
				if _, err := io.WriteString(n.stdin, line[0]+"\n"); err != nil {
					t.Fatal(err)
				}
				if got := n.reply(); !strings.HasPrefix(got, line[1]) {
					t.Errorf("%s: got %q, want %q...", line[0], got, line[1])
				}
			}
			// After QUIT the server closes and nc ends.
			n.stdin.Close()
			done := make(chan error, 1)
			go func() { done <- n.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("nc: %v", err)
				}
			case <-time.After(waitFor):
				t.Errorf("nc still running %v after QUIT", waitFor)
			}
		})
	}
}

// TestServeBinary runs the built spflab as a classroom would: it serves
// until SIGINT and exits 0, closing the session left open; a second one on
// the same port says in one line that the port is taken.
func TestServeBinary(t *testing.T) {
	t.Parallel()
	bin := testtool.Binary(t, ".")
	cmd := exec.Command(bin, "serve", "--no-tui", "--smtp", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--grace", "500ms")
	stdout := newLineBuffer()
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	l, _ := stdout.wait(t, 0, "listening", func(l string) bool { return strings.Contains(l, " serve listening: SMTP ") })
	f := strings.Fields(l) // "15:04:05.000 serve listening: SMTP A, DNS B"
	smtpAddr, dnsAddr := strings.TrimSuffix(f[4], ","), f[6]

	second := exec.Command(bin, "serve", "--no-tui", "--smtp", smtpAddr, "--dns", "127.0.0.1:0")
	out, err := second.CombinedOutput()
	var exit *exec.ExitError
	want := "spflab serve: SMTP port " + smtpAddr + " is taken (another spflab serve?): choose another with --smtp HOST:PORT\n"
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || string(out) != want {
		t.Errorf("a second serve on %s: %v, output %q; want exit 1 and %q", smtpAddr, err, out, want)
	}
	second = exec.Command(bin, "serve", "--no-tui", "--smtp", "127.0.0.1:0", "--dns", dnsAddr)
	out, err = second.CombinedOutput()
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.HasPrefix(string(out), "spflab serve: DNS port "+dnsAddr+" is taken") {
		t.Errorf("a second serve on DNS %s: %v, output %q", dnsAddr, err, out)
	}

	conn, err := net.Dial("tcp", smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stdout.wait(t, 0, "the session's greeting", func(l string) bool {
		return strings.HasSuffix(l, " smtp #1 S: 220 mail.example.com SMTP Server ready.")
	})
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	werr := make(chan error, 1)
	go func() { werr <- cmd.Wait() }()
	select {
	case err := <-werr:
		if err != nil {
			t.Errorf("after SIGINT: %v, want exit 0\n%s", err, stderr.String())
		}
	case <-time.After(waitFor):
		t.Fatalf("still running %v after SIGINT", waitFor)
	}
	wantInOrder(t, stdout.String(), " serve shutting down: open sessions have 500ms to finish", " smtp #1 connection closed: server shut down", " serve stopped")
	// The open connection was closed.
	conn.SetReadDeadline(time.Now().Add(waitFor))
	if rest, err := io.ReadAll(conn); err != nil {
		t.Errorf("the open connection: %v (read %q)", err, rest)
	}
}

// tmuxPane is a terminal of tmux, on a server of the test's own.
type tmuxPane struct {
	t      *testing.T
	tmux   string
	socket string
}

func (p *tmuxPane) run(args ...string) string {
	p.t.Helper()
	out, err := exec.Command(p.tmux, append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// waitScreen waits until the screen matches every pattern and returns it.
func (p *tmuxPane) waitScreen(patterns ...string) string {
	p.t.Helper()
	res := make([]*regexp.Regexp, len(patterns))
	for i, pat := range patterns {
		res[i] = regexp.MustCompile(pat)
	}
	deadline := time.Now().Add(waitFor)
	for {
		screen := p.run("capture-pane", "-p")
		missing := ""
		for _, re := range res {
			if !re.MatchString(screen) {
				missing = re.String()
				break
			}
		}
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the screen lacks %q after %v:\n%s", missing, waitFor, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeMonitor runs spflab serve in a real terminal (tmux): the
// monitor shows the connection hints, then the sessions swaks opens with
// their SPF results and the DNS queries dig makes; Ctrl+C or q quits the
// monitor, stops the servers and exits 0.
func TestServeMonitor(t *testing.T) {
	t.Parallel()
	tmux := testtool.Need(t, "tmux", "apt-get install -y tmux")
	swaks := testtool.Need(t, "swaks", "apt-get install -y swaks")
	dig := testtool.Need(t, "dig", "apt-get install -y bind9-dnsutils")
	bin := testtool.Binary(t, ".")
	for _, quit := range []string{"C-c", "q"} {
		t.Run(quit, func(t *testing.T) {
			dir := t.TempDir()
			p := &tmuxPane{t: t, tmux: tmux, socket: fmt.Sprintf("spflab-test-%d-%s", os.Getpid(), quit)}
			p.run("-f", "/dev/null", "new-session", "-d", "-x", "150", "-y", "45",
				fmt.Sprintf("%s serve --smtp 127.0.0.1:0 --dns 127.0.0.1:0 --theme dark; echo exit=$? >%s/exit; sleep 60", bin, dir))
			t.Cleanup(func() { exec.Command(tmux, "-L", p.socket, "kill-server").Run() })

			screen := p.waitScreen(`lesson seed-spf-fail`, `nc -C 127\.0\.0\.1 \d+   then type: XCLIENT ADDR=192\.0\.2\.80 · HELO mail\.euston\.net`, `swaks --server 127\.0\.0\.1:\d+ --xclient-addr 192\.0\.2\.80`, `dig @127\.0\.0\.1 -p \d+ TXT euston\.net`)
			smtpAddr := regexp.MustCompile(`swaks --server (127\.0\.0\.1:\d+)`).FindStringSubmatch(screen)[1]
			dnsPort := regexp.MustCompile(`dig @127\.0\.0\.1 -p (\d+)`).FindStringSubmatch(screen)[1]
			for _, ip := range []string{"192.0.2.80", "192.0.2.25"} {
				exec.Command(swaks, "--server", smtpAddr, "--timeout", "10", "--xclient-addr", ip,
					"--helo", "mail.euston.net", "--from", "honeypot@euston.net", "--to", "user@example.com").Run()
			}
			if out, err := exec.Command(dig, "@127.0.0.1", "-p", dnsPort, "+time=2", "+tries=1", "TXT", "euston.net").CombinedOutput(); err != nil {
				t.Fatalf("dig: %v\n%s", err, out)
			}
			p.waitScreen(`2 sessions`, `#1\s+192\.0\.2\.80 .*fail`, `#2\s+192\.0\.2\.25 .*pass`, `TXT euston\.net\. → NOERROR`)

			p.run("send-keys", quit)
			p.waitScreen(`spflab serve: stopped`)
			deadline := time.Now().Add(waitFor)
			for {
				b, _ := os.ReadFile(filepath.Join(dir, "exit"))
				if s := strings.TrimSpace(string(b)); s != "" {
					if s != "exit=0" {
						t.Errorf("%s after %s, want exit=0", s, quit)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("still running %v after %s", waitFor, quit)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
