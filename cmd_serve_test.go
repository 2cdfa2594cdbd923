package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"spflab/classroom"
	"spflab/fakedns"
	"spflab/livedns"
	"spflab/smtpsim"
)

// waitFor bounds every wait of these tests: a safety net against a hang,
// not a measure of speed.
const waitFor = 20 * time.Second

// lineBuffer collects the lines written to it and lets a test wait for
// one. It is safe for concurrent use.
type lineBuffer struct {
	mu      sync.Mutex
	lines   []string
	partial []byte
	changed chan struct{}
}

func newLineBuffer() *lineBuffer { return &lineBuffer{changed: make(chan struct{})} }

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.partial = append(b.partial, p...)
	for {
		i := bytes.IndexByte(b.partial, '\n')
		if i < 0 {
			break
		}
		b.lines = append(b.lines, string(b.partial[:i]))
		b.partial = b.partial[i+1:]
	}
	close(b.changed)
	b.changed = make(chan struct{})
	return len(p), nil
}

// Lines returns the complete lines written so far.
func (b *lineBuffer) Lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}

func (b *lineBuffer) String() string { return strings.Join(b.Lines(), "\n") }

// wait returns the first line, from line from on, that ok accepts, and its
// index.
func (b *lineBuffer) wait(t testing.TB, from int, what string, ok func(string) bool) (string, int) {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		b.mu.Lock()
		lines, changed := b.lines, b.changed
		b.mu.Unlock()
		for i := from; i < len(lines); i++ {
			if ok(lines[i]) {
				return lines[i], i
			}
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no line %s after %v in:\n%s", what, waitFor, strings.Join(lines, "\n"))
		}
	}
}

// served is "spflab serve" running in-process on ports the system picks.
type served struct {
	stdout, stderr *lineBuffer
	smtp, dns      string // the addresses it listens on
	cancel         context.CancelFunc
	exit           chan int
}

// startServe runs "spflab serve --smtp 127.0.0.1:0 --dns 127.0.0.1:0
// --json args..." and waits until it listens. The test's cleanup stops
// it; stop stops it earlier and returns its exit status.
func startServe(t testing.TB, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: newLineBuffer(), stderr: newLineBuffer(), cancel: cancel, exit: make(chan int, 1)}
	args = append([]string{"serve", "--smtp", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--json"}, args...)
	go func() { s.exit <- run(ctx, args, s.stdout, s.stderr) }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.After(waitFor)
	for {
		for _, l := range s.stdout.Lines() {
			if e := decodeLogLine(t, l); e.Serve != nil && e.Serve.State == "listening" {
				s.smtp, s.dns = e.Serve.SMTP, e.Serve.DNS
				return s
			}
		}
		select {
		case code := <-s.exit:
			t.Fatalf("spflab %s: exit %d before listening:\n%s", strings.Join(args, " "), code, s.stderr)
		case <-deadline:
			t.Fatalf("spflab %s: not listening after %v:\n%s", strings.Join(args, " "), waitFor, s.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop cancels serve's context (Ctrl+C) and returns its exit status.
func (s *served) stop(t testing.TB) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.exit:
		s.exit <- code // for a second stop
		return code
	case <-time.After(waitFor):
		t.Fatalf("serve did not stop within %v", waitFor)
		return -1
	}
}

// logLine is a line of the JSON log as a consumer reads it.
type logLine struct {
	Source string `json:"source"`
	Text   string `json:"text"`
	SMTP   *struct {
		Session uint64 `json:"session"`
		Seq     int    `json:"seq"`
		Kind    string `json:"kind"`
		Remote  string `json:"remote"`
		Line    string `json:"line"`
		Reply   *struct {
			Code     int      `json:"code"`
			Enhanced string   `json:"enhanced"`
			Lines    []string `json:"lines"`
		} `json:"reply"`
		Field  *smtpsim.Field `json:"field"`
		Stored *struct {
			ID uint64 `json:"id"`
		} `json:"stored"`
		Policy *struct {
			Outcome struct {
				Result string `json:"result"`
			} `json:"outcome"`
		} `json:"policy"`
		Reason string `json:"reason"`
	} `json:"smtp"`
	DNS *struct {
		Net     string   `json:"net"`
		Name    string   `json:"name"`
		Type    string   `json:"type"`
		Rcode   string   `json:"rcode"`
		Answers []string `json:"answers"`
	} `json:"dns"`
	Serve *classroom.State `json:"serve"`
}

func decodeLogLine(t testing.TB, line string) logLine {
	t.Helper()
	var e logLine
	if err := json.Unmarshal([]byte(line), &e); err != nil {
		t.Fatalf("log line is not JSON: %v\n%s", err, line)
	}
	if e.Source == "" || e.Text == "" {
		t.Fatalf("log line without source or text: %s", line)
	}
	return e
}

// session returns the SMTP entries of the session whose client connected
// from remote, once it has closed.
func (s *served) session(t testing.TB, remote string) []logLine {
	t.Helper()
	var id uint64
	s.stdout.wait(t, 0, "connect from "+remote, func(l string) bool {
		e := decodeLogLine(t, l)
		if e.SMTP != nil && e.SMTP.Kind == "connect" && e.SMTP.Remote == remote {
			id = e.SMTP.Session
			return true
		}
		return false
	})
	isClose := func(l string) bool {
		e := decodeLogLine(t, l)
		return e.SMTP != nil && e.SMTP.Session == id && e.SMTP.Kind == "close"
	}
	s.stdout.wait(t, 0, fmt.Sprintf("close of session %d", id), isClose)
	var out []logLine
	for _, l := range s.stdout.Lines() {
		if e := decodeLogLine(t, l); e.SMTP != nil && e.SMTP.Session == id {
			out = append(out, e)
		}
	}
	return out
}

// dialogue sends lines with the scripted client and returns the replies'
// codes and the client's address.
func smtpDialogue(t testing.TB, addr string, lines ...string) ([]smtpsim.Reply, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, err := smtpsim.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	replies := []smtpsim.Reply{c.Greeting}
	for _, l := range lines {
		r, err := c.Send(l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		replies = append(replies, r)
	}
	return replies, c.LocalAddr()
}

func replyCodes(rs []smtpsim.Reply) string {
	var s []string
	for _, r := range rs {
		s = append(s, fmt.Sprint(r.Code))
	}
	return strings.Join(s, " ")
}

func TestServeBadUsage(t *testing.T) {
	zone := filepath.Join(t.TempDir(), "bad.zone")
	if err := os.WriteFile(zone, []byte("$ORIGIN example.org.\n@ IN TXT \"v=spf1 -all\"\nbroken IN A 300.1.1.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"--smtp", "0.0.0.0:2525"}, "--smtp 0.0.0.0:2525 is not loopback: add --listen-public"},
		{[]string{"--dns", ":5353"}, "--dns :5353 is not loopback: add --listen-public"},
		{[]string{"--dns", "192.0.2.1:53"}, "--dns 192.0.2.1:53 is not loopback"},
		{[]string{"--smtp", "2525"}, `--smtp "2525": want HOST:PORT`},
		{[]string{"--zone", zone, "--scenario", "seed-honest"}, "--zone serves a zone without a lesson: it excludes --scenario"},
		{[]string{"--zone", zone}, "bad.zone"},
		{[]string{"--zone", filepath.Join(t.TempDir(), "none.zone")}, "--zone: open"},
		{[]string{"--scenario", "no-such-lesson"}, `no scenario "no-such-lesson" in scenarios.yaml`},
		{[]string{"--origin", "example.org"}, "--origin goes with a BIND --zone file"},
		{[]string{"--client", "mail.euston.net"}, `--client "mail.euston.net": not an IP address`},
		{[]string{"--xclient-from", "10.0.0.0/8,bogus"}, `--xclient-from: item 2 "bogus": not a network`},
		{[]string{"--max-sessions", "0"}, "--max-sessions 0: must be positive"},
		{[]string{"--max-sessions-per-ip", "-1"}, "--max-sessions-per-ip -1: must be positive"},
		{[]string{"--greeting-timeout", "0s"}, "--greeting-timeout 0s: must be positive"},
		{[]string{"--grace", "-1s"}, "--grace -1s: must not be negative"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--no-such-flag"}, "flag provided but not defined: -no-such-flag"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := spflab(append([]string{"serve"}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout: %s", stdout)
			}
		})
	}
	if code, out, _ := spflab("serve", "-h"); code != 0 || out != "" {
		t.Errorf("serve -h: exit %d, stdout %q", code, out)
	}
}

// TestServePortTaken: a port in use is one clear line and exit 1, and the
// server that did start is stopped again.
func TestServePortTaken(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	free := freeUDPPort(t)
	tests := []struct {
		name      string
		smtp, dns string
		want      string
	}{
		{"smtp", tcp.Addr().String(), free, "spflab serve: SMTP port " + tcp.Addr().String() + " is taken (another spflab serve?): choose another with --smtp HOST:PORT\n"},
		{"dns", "127.0.0.1:0", udp.LocalAddr().String(), "spflab serve: DNS port " + udp.LocalAddr().String() + " is taken (another spflab serve?): choose another with --dns HOST:PORT\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := spflab("serve", "--no-tui", "--smtp", tt.smtp, "--dns", tt.dns)
			if code != 1 || stderr != tt.want || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 1, stderr %q", code, stderr, stdout, tt.want)
			}
		})
	}
	// The DNS server of the "smtp" case was closed: its port is free.
	pc, err := net.ListenPacket("udp", free)
	if err != nil {
		t.Errorf("the DNS port of a failed start is still held: %v", err)
	} else {
		pc.Close()
	}
}

// freeUDPPort returns a loopback address whose UDP and TCP ports were free
// a moment ago.
func freeUDPPort(t *testing.T) string {
	t.Helper()
	srv, err := fakedns.Serve(fakedns.NewZone(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	srv.Close()
	return addr
}

func TestServeHints(t *testing.T) {
	dir := t.TempDir()
	bind := filepath.Join(dir, "bakery.zone")
	if err := os.WriteFile(bind, []byte(`$TTL 300
@     IN MX  10 mail
@     IN TXT "v=spf1 mx -all"
mail  IN A   198.51.100.5
5.100.51.198.in-addr.arpa. IN PTR mail.bakery.example.
`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string // in order, in the hints
	}{
		{"default lesson", nil, []string{
			"spflab serve: lesson seed-spf-fail: SPF -all refuses www.euston.net",
			"XCLIENT from 127.0.0.0/8 ::1/128",
			"swaks --server 127.0.0.1:", " --xclient-addr 192.0.2.80 --helo mail.euston.net --from honeypot@euston.net --to user@example.com\n",
			"nc -C 127.0.0.1 ",
			"type XCLIENT ADDR=192.0.2.80 first",
			"    HELO mail.euston.net\n    MAIL From: <honeypot@euston.net>\n    RCPT To: <user@example.com>\n    QUIT\n",
			"dig @127.0.0.1 -p ", " TXT euston.net\n",
			" TXT mail.euston.net\n", " MX euston.net\n", " -x 192.0.2.25\n", " -x 192.0.2.80\n",
		}},
		{"the article's nc session", []string{"--scenario", "seed-no-such-domain"}, []string{
			"    HELO mail.euston.net\n    MAIL From:buddy@your.friend\n    MAIL From:honeypot@euston.net\n    RCPT To:user@example.com\n    QUIT\n",
		}},
		{"null sender", []string{"--scenario", "null-sender-helo", "--client", "192.0.2.25"}, []string{
			"--xclient-addr 192.0.2.25 --helo mail.euston.net --from '<>' --to user@example.com",
		}},
		{"XCLIENT refused from loopback", []string{"--xclient-from", "192.0.2.0/24"}, []string{
			"XCLIENT from 192.0.2.0/24",
			"(XCLIENT is not allowed from here: SPF sees your own address):\n  swaks --server 127.0.0.1:",
			" --helo mail.euston.net --from honeypot@euston.net --to user@example.com\n",
			"  Then type:\n    HELO mail.euston.net\n",
		}},
		{"a BIND zone", []string{"--zone", bind, "--origin", "bakery.example", "--xclient-from", "127.0.0.1,10.0.0.0/8"}, []string{
			"spflab serve: zone " + bind,
			"XCLIENT from 127.0.0.1/32 10.0.0.0/8",
			"--xclient-addr 198.51.100.5 --helo mail.bakery.example --from postmaster@bakery.example --to user@example.com",
			"    HELO mail.bakery.example\n    MAIL From:postmaster@bakery.example\n",
			" TXT bakery.example\n", " MX bakery.example\n", " -x 198.51.100.5\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServe(t, tt.args...)
			wantInOrder(t, s.stderr.String()+"\n", tt.want...)
			if !strings.Contains(s.stderr.String(), "swaks --server "+s.smtp+" ") {
				t.Errorf("the swaks command does not name %s", s.smtp)
			}
			if code := s.stop(t); code != 0 {
				t.Errorf("exit %d after Ctrl+C", code)
			}
		})
	}
}

// TestServeLog runs a dialogue and a query and reads them back from the
// JSON log and from the text log.
func TestServeLog(t *testing.T) {
	s := startServe(t)
	replies, local := smtpDialogue(t, s.smtp, "XCLIENT ADDR=192.0.2.80", "HELO mail.euston.net", "MAIL From:honeypot@euston.net", "RCPT To:user@example.com", "QUIT")
	if got := replyCodes(replies); got != "220 220 250 250 550 221" {
		t.Fatalf("replies %s", got)
	}
	evs := s.session(t, local)
	var kinds []string
	for i, e := range evs {
		if e.SMTP.Seq != i+1 {
			t.Errorf("event %d has seq %d", i+1, e.SMTP.Seq)
		}
		if len(kinds) == 0 || kinds[len(kinds)-1] != e.SMTP.Kind {
			kinds = append(kinds, e.SMTP.Kind)
		}
	}
	want := "connect reply client xclient reply client dns helo reply client dns reply client spf policy reply client reply close"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("kinds:\n got %s\nwant %s", got, want)
	}
	var texts []string
	for _, e := range evs {
		texts = append(texts, e.Text)
	}
	wantInOrder(t, strings.Join(texts, "\n"),
		"C: XCLIENT ADDR=192.0.2.80",
		"HELO mail.euston.net: 192.0.2.80 is www.euston.net (reverse DNS confirmed): the HELO name is a lie",
		"spf check_host(192.0.2.80, euston.net, honeypot@euston.net)",
		"spf -all: match → fail",
		"policy: SPF fail for the mailfrom identity → refuse (5xx) at RCPT (550 5.7.23)",
		"S: 550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net",
		"connection closed: QUIT")

	c := livedns.NewClient(s.dns)
	if txt, err := c.LookupTXT(context.Background(), "euston.net"); err != nil || len(txt) != 1 {
		t.Fatalf("TXT euston.net: %q %v", txt, err)
	}
	line, _ := s.stdout.wait(t, 0, "for the TXT query", func(l string) bool {
		e := decodeLogLine(t, l)
		return e.DNS != nil && e.DNS.Type == "TXT" && e.DNS.Name == "euston.net."
	})
	e := decodeLogLine(t, line)
	if e.DNS.Net != "udp" || e.DNS.Rcode != "NOERROR" || len(e.DNS.Answers) != 1 || e.DNS.Answers[0] != `TXT "v=spf1 ip4:192.0.2.25 -all"` {
		t.Errorf("dns entry %+v", e.DNS)
	}
	if !strings.HasPrefix(e.Text, "udp 127.0.0.1:") || !strings.HasSuffix(e.Text, ` TXT euston.net. → NOERROR: TXT "v=spf1 ip4:192.0.2.25 -all"`) {
		t.Errorf("dns text %q", e.Text)
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	last := decodeLogLine(t, s.stdout.Lines()[len(s.stdout.Lines())-1])
	if last.Serve == nil || last.Serve.State != "stopped" {
		t.Errorf("the last entry is %+v, want serve stopped", last)
	}

	// The text log: the hints, then one line per event.
	ctx, cancel := context.WithCancel(context.Background())
	out := newLineBuffer()
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve", "--no-tui", "--smtp", "127.0.0.1:0", "--dns", "127.0.0.1:0"}, out, newLineBuffer())
	}()
	l, _ := out.wait(t, 0, "listening", func(l string) bool { return strings.Contains(l, " serve listening: SMTP ") })
	addr := strings.TrimSuffix(strings.Fields(l)[4], ",")
	replies, _ = smtpDialogue(t, addr, "EHLO pc.home", "QUIT")
	if got := replyCodes(replies); got != "220 250 221" {
		t.Fatalf("replies %s", got)
	}
	out.wait(t, 0, "closing the session", func(l string) bool { return strings.HasSuffix(l, " smtp #1 connection closed: QUIT") })
	cancel()
	if code := <-exit; code != 0 {
		t.Errorf("exit %d", code)
	}
	text := out.String()
	wantInOrder(t, text, "Ctrl+C stops the servers.", " serve listening: SMTP ", " smtp #1 connected from 127.0.0.1:",
		" smtp #1 C: EHLO pc.home", " smtp #1 S: 250-mail.example.com Hello [127.0.0.1], pleased to meet you | 250-XCLIENT NAME ADDR PORT PROTO HELO | ",
		" smtp #1 S: 221 2.0.0 mail.example.com closing connection", " serve stopped")
	stamped := regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d\d\d (serve|smtp #\d+|dns) `)
	for _, l := range out.Lines()[slices.Index(out.Lines(), "Ctrl+C stops the servers.")+2:] {
		if !stamped.MatchString(l) {
			t.Errorf("log line without its time and source: %q", l)
		}
	}
}

// TestServeXClient: XCLIENT from loopback by default; --xclient-from none
// refuses it; --listen-public warns.
func TestServeXClient(t *testing.T) {
	tests := []struct {
		args    []string
		code    int
		warning string
	}{
		{nil, 220, ""},
		{[]string{"--xclient-from", "none"}, 550, ""},
		{[]string{"--xclient-from", "192.0.2.0/24"}, 550, ""},
		{[]string{"--listen-public"}, 220, "warning: --listen-public: SMTP 127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			s := startServe(t, tt.args...)
			replies, _ := smtpDialogue(t, s.smtp, "XCLIENT ADDR=192.0.2.80")
			if replies[1].Code != tt.code {
				t.Errorf("XCLIENT: %v, want %d", replies[1], tt.code)
			}
			if tt.warning != "" && !strings.Contains(s.stderr.String(), tt.warning) {
				t.Errorf("stderr lacks %q:\n%s", tt.warning, s.stderr)
			}
			if tt.warning == "" && strings.Contains(s.stderr.String(), "warning") {
				t.Errorf("a warning without --listen-public:\n%s", s.stderr)
			}
		})
	}
}

// TestServeShutdown: Ctrl+C lets a session in progress finish its
// dialogue, closes an idle one when --grace is over, and exits 0.
func TestServeShutdown(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--grace", "2s")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	var busy, idle *smtpsim.Client
	for _, c := range []**smtpsim.Client{&busy, &idle} {
		var err error
		if *c, err = smtpsim.Dial(ctx, s.smtp); err != nil {
			t.Fatal(err)
		}
		defer (*c).Close()
		if r, err := (*c).Send("HELO mail.euston.net"); err != nil || r.Code != 250 {
			t.Fatalf("HELO: %v %v", r, err)
		}
	}
	s.cancel() // Ctrl+C
	s.stdout.wait(t, 0, "stopping", func(l string) bool { return strings.Contains(l, `"state":"stopping"`) })
	// A connection now must not reach the server: had it accepted one, its
	// close would be a third reason below. (The dial itself may succeed:
	// once the port is free, another test's listener may take it.)
	if c, err := net.DialTimeout("tcp", s.smtp, time.Second); err == nil {
		c.Close()
	}
	// The busy session goes on to the end.
	for _, tc := range []struct {
		line string
		code int
	}{{"MAIL From:honeypot@euston.net", 250}, {"RCPT To:user@example.com", 550}, {"QUIT", 221}} {
		if r, err := busy.Send(tc.line); err != nil || r.Code != tc.code {
			t.Fatalf("%s during shutdown: %v %v, want %d", tc.line, r, err, tc.code)
		}
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	// The idle session was closed: its next command gets no reply.
	if r, err := idle.Send("NOOP"); err == nil {
		t.Errorf("the idle session still answers after shutdown: %v", r)
	}
	var reasons []string
	for _, l := range s.stdout.Lines() {
		if e := decodeLogLine(t, l); e.SMTP != nil && e.SMTP.Kind == "close" {
			reasons = append(reasons, e.SMTP.Reason)
		}
	}
	slices.Sort(reasons)
	if want := []string{"QUIT", "server shut down"}; !slices.Equal(reasons, want) {
		t.Errorf("close reasons %q, want %q", reasons, want)
	}
}

// TestServeAddresses: the listen addresses serve takes from its flags.
func TestServeAddresses(t *testing.T) {
	tests := []struct {
		args      []string
		smtp, dns string
	}{
		{nil, "127.0.0.1:2525", "127.0.0.1:5353"},
		{[]string{"--smtp", "localhost:25", "--dns", "[::1]:53"}, "localhost:25", "[::1]:53"},
		{[]string{"--listen-public"}, ":2525", ":5353"},
		{[]string{"--listen-public", "--smtp", "127.0.0.2:2525"}, "127.0.0.2:2525", ":5353"},
	}
	for _, tt := range tests {
		var f serveFlags
		fs := newFlagSet("serve", serveSynopsis, io.Discard)
		f.add(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		_, cfg, err := f.resolve()
		if err != nil || cfg.SMTPAddr != tt.smtp || cfg.DNSAddr != tt.dns {
			t.Errorf("%q: SMTP %q DNS %q (%v), want %q %q", tt.args, cfg.SMTPAddr, cfg.DNSAddr, err, tt.smtp, tt.dns)
		}
	}
}

func TestParseNetworks(t *testing.T) {
	tests := []struct {
		in, want string // want: networks() of the result, or the error
	}{
		{"", "<nil>"},
		{"none", "no one"},
		{"127.0.0.1", "127.0.0.1/32"},
		{" 10.1.2.3/8 , ::1", "10.0.0.0/8 ::1/128"},
		{"10.0.0.0/33", `item 1 "10.0.0.0/33": not a network`},
	}
	for _, tt := range tests {
		ps, err := parseNetworks(tt.in)
		got := classroom.Networks(ps)
		switch {
		case err != nil:
			got = err.Error()
		case ps == nil:
			got = "<nil>"
		}
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("parseNetworks(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestServeNoTerminal: without a terminal, serve logs instead of starting
// the monitor, and says so.
func TestServeNoTerminal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := newLineBuffer(), newLineBuffer()
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve", "--smtp", "127.0.0.1:0", "--dns", "127.0.0.1:0"}, out, errs)
	}()
	out.wait(t, 0, "listening", func(l string) bool { return strings.Contains(l, " serve listening: SMTP ") })
	cancel()
	if code := <-exit; code != 0 {
		t.Errorf("exit %d", code)
	}
	if want := "spflab serve: no terminal for the monitor: logging events instead (--no-tui)"; !slices.Contains(errs.Lines(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
}

// TestServeDNSRate: DNS answers are rate limited per client when the lab
// listens publicly, not on loopback, unless --dns-rate says otherwise.
func TestServeDNSRate(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
	}{
		{nil, 0},
		{[]string{"--listen-public"}, defaultPublicDNSRate},
		{[]string{"--listen-public", "--dns-rate", "0"}, 0},
		{[]string{"--dns-rate", "7"}, 7},
	} {
		var f serveFlags
		fs := newFlagSet("serve", serveSynopsis, io.Discard)
		f.add(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if _, cfg, err := f.resolve(); err != nil || cfg.DNSRateLimit != tt.want {
			t.Errorf("%q: DNS rate %d (%v), want %d", tt.args, cfg.DNSRateLimit, err, tt.want)
		}
	}
}
