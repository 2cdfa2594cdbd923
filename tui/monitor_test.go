package tui

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"spflab/fakedns"
	"spflab/smtpsim"
)

// classroom starts an smtpsim server with the spf-fail lesson's zone and
// policy, its events sent to the monitor, as spflab serve does.
func classroom(t *testing.T, send func(smtpsim.Event)) *smtpsim.Server {
	t.Helper()
	sc := testLessons(t).Lookup("spf-fail")
	cfg := sc.Server.Config(sc.Zone)
	cfg.OnEvent = send
	srv, err := smtpsim.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// student speaks SMTP to srv from addr (set with XCLIENT, like swaks
// --xclient-addr) and closes.
func student(t *testing.T, srv *smtpsim.Server, addr string, lines ...string) {
	t.Helper()
	c, err := smtpsim.Dial(t.Context(), srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.XClient(addr, "", ""); err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if _, err := c.Send(l); err != nil {
			t.Fatal(err)
		}
	}
}

// dateRE matches a date of a Received field (RFC 5322 §3.3).
var dateRE = regexp.MustCompile(`\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}`)

// portRE matches a loopback address with its port.
var portRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)

var forged = []string{"HELO mail.euston.net", "MAIL FROM:<honeypot@euston.net>", "RCPT TO:<user@example.com>", "QUIT"}
var honest = []string{"HELO mail.euston.net", "MAIL FROM:<honeypot@euston.net>", "RCPT TO:<user@example.com>"}

func monitor(t *testing.T, opts MonitorOptions, w, h int) *harness {
	t.Helper()
	if opts.Theme == "" {
		opts.Theme = "dark"
	}
	return newHarness(t, NewMonitor(opts), w, h)
}

func (hs *harness) mon(fn func(*Monitor)) {
	hs.t.Helper()
	hs.query(func(m tea.Model) { fn(m.(*Monitor)) })
}

func (hs *harness) waitMon(what string, cond func(*Monitor) bool) {
	hs.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok := false
		hs.mon(func(m *Monitor) { ok = cond(m) })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("waited 10s for %s; the screen:\n%s", what, hs.screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func closedSessions(n int) func(*Monitor) bool {
	return func(m *Monitor) bool {
		c := 0
		for _, s := range m.sessions {
			if s.closed {
				c++
			}
		}
		return c >= n
	}
}

// TestMonitorGolden shows two sessions, the forged one refused, and the
// DNS queries of a dig.
func TestMonitorGolden(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		do   func(t *testing.T, hs *harness, srv *smtpsim.Server)
	}{
		{"monitor-waiting", 80, 24, func(t *testing.T, hs *harness, srv *smtpsim.Server) {}},
		{"monitor-sessions", 100, 30, func(t *testing.T, hs *harness, srv *smtpsim.Server) {
			student(t, srv, "192.0.2.25", honest...)
			hs.waitMon("the first session", closedSessions(1))
			student(t, srv, "192.0.2.80", forged...)
			hs.waitMon("the second session", closedSessions(2))
			rec := fakedns.Record{Name: "euston.net", Type: "TXT", TTL: 3600, Data: `"v=spf1 ip4:192.0.2.25 -all"`}
			hs.tm.Send(DNSMsg(fakedns.Query{Net: "udp", Client: "127.0.0.1", Name: "euston.net.", Type: "TXT", Rcode: "NOERROR", Answer: []fakedns.Record{rec}}))
			hs.tm.Send(DNSMsg(fakedns.Query{Net: "udp", Client: "127.0.0.1", Name: "nope.euston.net.", Type: "A", Rcode: "NXDOMAIN"}))
		}},
		{"monitor-80x24", 80, 24, func(t *testing.T, hs *harness, srv *smtpsim.Server) {
			student(t, srv, "192.0.2.80", forged...)
			hs.waitMon("the session", closedSessions(1))
			hs.press("up") // the 550
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := monitor(t, MonitorOptions{Title: "spf-fail", Hints: []string{
				"swaks --server 127.0.0.1:2525 --xclient-addr 192.0.2.80 --from honeypot@euston.net --to user@example.com",
				"dig @127.0.0.1 -p 5353 euston.net TXT",
			}}, tt.w, tt.h)
			srv := classroom(t, func(e smtpsim.Event) { hs.tm.Send(EventMsg(e)) })
			tt.do(t, hs, srv)
			screen := hs.screen()
			checkFrame(t, screen, tt.w, tt.h)
			// The loopback ports change from run to run.
			screen = portRE.ReplaceAllString(screen, "127.0.0.1:PORT")
			golden.RequireEqual(t, screen)
		})
	}
}

// TestMonitorKeys presses every key of the monitor.
func TestMonitorKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		keys  []string
		check func(t *testing.T, m *Monitor)
	}{
		{[]string{"["}, func(t *testing.T, m *Monitor) {
			if m.cur != 1 || m.follow {
				t.Errorf("session %d, follow %v", m.cur, m.follow)
			}
		}},
		{[]string{"[", "[", "[", "["}, func(t *testing.T, m *Monitor) {
			if m.cur != 0 {
				t.Errorf("session %d", m.cur)
			}
		}},
		{[]string{"[", "]"}, func(t *testing.T, m *Monitor) {
			if m.cur != 2 || !m.follow {
				t.Errorf("session %d, follow %v", m.cur, m.follow)
			}
		}},
		{[]string{"[", "F"}, func(t *testing.T, m *Monitor) {
			if m.cur != 2 || !m.follow {
				t.Errorf("session %d, follow %v", m.cur, m.follow)
			}
		}},
		{[]string{"up"}, func(t *testing.T, m *Monitor) {
			// From the 550 SPF decided (shown first), to the 250 to MAIL.
			if k := m.current().tr.spfReply(); m.selected != k-1 || k < 1 {
				t.Errorf("reply %d, want %d", m.selected, k-1)
			}
		}},
		{[]string{"up", "end"}, func(t *testing.T, m *Monitor) {
			if m.selected != -1 {
				t.Errorf("reply %d", m.selected)
			}
		}},
		{[]string{"up", "down"}, func(t *testing.T, m *Monitor) {
			if k := m.current().tr.spfReply(); m.selected != k {
				t.Errorf("reply %d, want %d", m.selected, k)
			}
		}},
		{[]string{"up", "down", "down", "down"}, func(t *testing.T, m *Monitor) {
			if n := len(m.current().tr.replies); m.selected != n-1 {
				t.Errorf("reply %d, want the newest, %d", m.selected, n-1)
			}
		}},
		{[]string{"tab", "down"}, func(t *testing.T, m *Monitor) {
			// ↓ selects a reply whatever pane has the focus.
			if n := len(m.current().tr.replies); m.focus != paneSPF || m.selected != n-1 {
				t.Errorf("focus %d, reply %d", m.focus, m.selected)
			}
		}},
		// pgup, pgdn, j and k scroll the focused pane: the SPF pane opens on
		// the decision, the dialogue at its end.
		{[]string{"tab", "pgup"}, func(t *testing.T, m *Monitor) {
			if m.spfTop != 0 || m.spf.top != 0 || m.selected != -1 {
				t.Errorf("spfTop %d (drawn at %d), reply %d", m.spfTop, m.spf.top, m.selected)
			}
		}},
		{[]string{"tab", "pgup", "j"}, func(t *testing.T, m *Monitor) {
			if m.spfTop != 1 {
				t.Errorf("spfTop %d", m.spfTop)
			}
		}},
		{[]string{"pgup"}, func(t *testing.T, m *Monitor) {
			if m.smtpTop != max(m.smtp.max-(m.smtp.page-1), 0) || m.cur != 2 {
				t.Errorf("smtpTop %d (page %d, max %d), session %d", m.smtpTop, m.smtp.page, m.smtp.max, m.cur)
			}
		}},
		{[]string{"k", "k", "j"}, func(t *testing.T, m *Monitor) {
			if m.smtpTop != m.smtp.max-1 || m.selected != -1 {
				t.Errorf("smtpTop %d (max %d), reply %d", m.smtpTop, m.smtp.max, m.selected)
			}
		}},
		{[]string{"?"}, func(t *testing.T, m *Monitor) {
			if !m.keysPg.open {
				t.Error("no help")
			}
		}},
		{[]string{"?", "esc"}, func(t *testing.T, m *Monitor) {
			if m.keysPg.open {
				t.Error("help left open")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, " "), func(t *testing.T) {
			hs := monitor(t, MonitorOptions{}, 80, 24)
			srv := classroom(t, func(e smtpsim.Event) { hs.tm.Send(EventMsg(e)) })
			for i := range 3 {
				student(t, srv, "192.0.2.80", forged...)
				hs.waitMon("the sessions", closedSessions(i+1))
			}
			hs.screen()
			hs.press(tt.keys...)
			hs.screen()
			hs.mon(func(m *Monitor) { tt.check(t, m) })
		})
	}
	for _, k := range []string{"q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			hs := monitor(t, MonitorOptions{}, 80, 24)
			hs.press(k)
			hs.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		})
	}
}

// TestMonitorKeepsMaxSessions drops the oldest sessions.
func TestMonitorKeepsMaxSessions(t *testing.T) {
	mo := NewMonitor(MonitorOptions{MaxSessions: 3, Theme: "dark"})
	mo.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for id := uint64(1); id <= 5; id++ {
		mo.Update(EventMsg(smtpsim.Event{Session: id, Seq: 1, Kind: smtpsim.EventConnect, Remote: "127.0.0.1:1"}))
		mo.Update(EventMsg(smtpsim.Event{Session: id, Seq: 2, Kind: smtpsim.EventClose, Reason: "QUIT"}))
	}
	if len(mo.sessions) != 3 || mo.sessions[0].id != 3 || mo.dropped != 2 || len(mo.byID) != 3 {
		t.Errorf("%d sessions from %d, %d dropped", len(mo.sessions), mo.sessions[0].id, mo.dropped)
	}
	if v := mo.render(); !strings.Contains(ansi.Strip(v), "2 older dropped") || !strings.Contains(ansi.Strip(v), "5 sessions") {
		t.Errorf("the view does not count the dropped sessions:\n%s", v)
	}
}

// TestRunMonitor feeds the monitor through channels and stops it with
// the context.
func TestRunMonitor(t *testing.T) {
	smtpCh := make(chan smtpsim.Event)
	dnsCh := make(chan fakedns.Query)
	var got atomic.Int32
	count := func(_ tea.Model, msg tea.Msg) tea.Msg {
		switch msg.(type) {
		case EventMsg, DNSMsg:
			got.Add(1)
		}
		return msg
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- RunMonitor(ctx, MonitorFeed{SMTP: smtpCh, DNS: dnsCh}, MonitorOptions{Theme: "dark"},
			tea.WithInput(strings.NewReader("")), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24),
			tea.WithFilter(count), tea.WithoutSignals())
	}()
	smtpCh <- smtpsim.Event{Session: 1, Seq: 1, Kind: smtpsim.EventConnect}
	dnsCh <- fakedns.Query{Name: "euston.net.", Type: "TXT", Rcode: "NOERROR"}
	close(smtpCh)
	deadline := time.Now().Add(5 * time.Second)
	for got.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := got.Load(); n != 2 {
		t.Errorf("the monitor got %d messages, want 2", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunMonitor: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunMonitor did not return after the context ended")
	}
}

// sendMessage speaks a whole SMTP transaction to srv from addr: the
// message is stored.
func sendMessage(t *testing.T, srv *smtpsim.Server, addr, body string) {
	t.Helper()
	c, err := smtpsim.Dial(t.Context(), srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.XClient(addr, "", ""); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"HELO mail.euston.net", "MAIL FROM:<honeypot@euston.net>", "RCPT TO:<user@example.com>", "DATA"} {
		if _, err := c.Send(l); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := c.SendBody(body); err != nil || rep.Code != 250 {
		t.Fatalf("the message: %v %v", rep, err)
	}
	if _, err := c.Send("QUIT"); err != nil {
		t.Fatal(err)
	}
}

// TestMonitorViews opens the hints again with h and the mailbox with m,
// and shows a 553 in the session list as it shows a 550.
func TestMonitorViews(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {100, 30}} {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			var srv *smtpsim.Server
			hints := []string{"swaks --server 127.0.0.1:2525 --xclient-addr 192.0.2.80 --from honeypot@euston.net --to user@example.com"}
			hs := monitor(t, MonitorOptions{Title: "spf-fail", Hints: hints, Messages: func() []smtpsim.Message { return srv.Mailbox().Messages() }}, w, h)
			srv = classroom(t, func(e smtpsim.Event) { hs.tm.Send(EventMsg(e)) })
			sendMessage(t, srv, "192.0.2.25", "From: honeypot@euston.net\r\nSubject: hello there\r\n\r\nThe body.\r\n")
			hs.waitMon("the message", closedSessions(1))
			student(t, srv, "192.0.2.80", "HELO mail.euston.net", "MAIL FROM:<buddy@your.friend>", "QUIT")
			hs.waitMon("the 553", closedSessions(2))

			screen := hs.screen()
			if !regexp.MustCompile(`#2 +192\.0\.2\.80 +closed +→ 553  HELO`).MatchString(screen) || !regexp.MustCompile(`#1 +192\.0\.2\.25 +closed SPF pass +→ 250`).MatchString(screen) {
				t.Errorf("the session list does not show the 553 like the SPF replies:\n%s", screen)
			}

			hs.press("h")
			if s := hs.screen(); !strings.Contains(s, "Connect with") || !strings.Contains(s, "--xclient-addr 192.0.2.80") {
				t.Errorf("h does not show the hints:\n%s", s)
			} else if w == 80 {
				golden.RequireEqual(t, s) // the hints and the 553
			}
			hs.press("esc", "m")
			s := hs.screen()
			if !strings.Contains(s, "Mailbox · 1 message") || !regexp.MustCompile(`▶ #1 +192\.0\.2\.25 +SPF pass +honeypot@euston\.net → user@example\.com`).MatchString(s) {
				t.Errorf("m does not list the message:\n%s", s)
			}
			hs.press("enter")
			s = hs.screen()
			for _, want := range []string{"Message 1", "Received-SPF: pass", "Authentication-Results:", "Received: from mail.euston.net", "Subject: hello there", "HELO mail.euston.net"} {
				if !strings.Contains(s, want) {
					t.Errorf("the open message lacks %q:\n%s", want, s)
				}
			}
			if w == 100 {
				// The Received field's date is the time of the run.
				golden.RequireEqual(t, dateRE.ReplaceAllString(s, "DATE"))
			}
			hs.press("pgdown")
			if s := hs.screen(); !strings.Contains(s, "The body.") {
				t.Errorf("the message does not scroll to its body:\n%s", s)
			}
			hs.press("esc", "esc")
			hs.mon(func(m *Monitor) {
				if m.view != viewSessions {
					t.Errorf("esc esc left view %d", m.view)
				}
			})
		})
	}
}
