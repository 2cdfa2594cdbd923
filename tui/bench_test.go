package tui

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"spflab/fakedns"
	"spflab/scenarios"
	"spflab/smtpsim"
	"spflab/spf"
)

// bigTrace evaluates a record of 500 ip4 terms, none of which matches the
// client, and returns the step that carries it: 503 SPF events, each term
// with its reason, then the policy and the 550.
func bigTrace(tb testing.TB) scenarios.Step {
	tb.Helper()
	var terms []string
	for i := range 250 {
		terms = append(terms, fmt.Sprintf("ip4:198.51.100.%d", i), fmt.Sprintf("ip4:203.0.113.%d", i))
	}
	record := "v=spf1 " + strings.Join(terms, " ") + " -all"
	zone := fakedns.NewZone()
	zone.AddTXT("euston.net", record) // in character-strings of 255 octets
	var evs []spf.Event
	c := spf.Checker{Resolver: zone, Listener: func(e *spf.Event) { evs = append(evs, *e) }}
	ip := netip.MustParseAddr("192.0.2.80")
	o := c.Check(context.Background(), ip, "mail.euston.net", "honeypot@euston.net")
	if o.Result != spf.Fail {
		tb.Fatalf("the big record gives %s, want fail (%v)", o.Result, o.Err)
	}

	st := scenarios.Step{Index: 1, Role: scenarios.RoleDialogue, Number: 1}
	seq := 0
	add := func(e smtpsim.Event) {
		seq++
		e.Session, e.Seq, e.Command = 1, seq, "RCPT"
		st.Events = append(st.Events, scenarios.Event{Step: 1, Kind: scenarios.EventSMTP, SMTP: &e})
	}
	add(smtpsim.Event{Kind: smtpsim.EventClientLine, Line: "RCPT TO:<user@example.com>"})
	for i := range evs {
		add(smtpsim.Event{Kind: smtpsim.EventSPF, SPF: &evs[i]})
	}
	rep := &smtpsim.Reply{Code: 550, Enhanced: "5.7.23", Lines: []string{"SPF test returned fail for 192.0.2.80"}}
	add(smtpsim.Event{Kind: smtpsim.EventPolicy, Policy: &smtpsim.Decision{Outcome: o, Action: smtpsim.ActionReject, At: "RCPT", Reply: rep}})
	add(smtpsim.Event{Kind: smtpsim.EventReply, Reply: rep})
	st.Reply = rep
	return st
}

// BenchmarkRenderStep500 takes a step with a 500-event SPF trace into the
// lesson and draws the screen at 100×30: what the lab does when such a
// step arrives. The bound is 5 ms.
//
//	go test -run '^$' -bench RenderStep500 -benchmem ./tui
func BenchmarkRenderStep500(b *testing.B) {
	st := bigTrace(b)
	sc := testLessons(b).Lookup("spf-fail")
	m, err := New(context.Background(), testLessons(b), Options{Theme: "dark"})
	if err != nil {
		b.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.les = &lesson{sc: sc, selected: -1}
	m.screen = screenLesson
	events := len(st.Events)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m.les.reset([]scenarios.Step{st})
		if v := m.View(); v.Content == "" {
			b.Fatal("no view")
		}
	}
	b.ReportMetric(float64(events), "events/step")
}

// TestBigTraceRenders checks what the benchmark draws: the 500 terms are
// there to scroll through, the counters on top, and the pane opens on the
// term that decided and the result, at the end.
func TestBigTraceRenders(t *testing.T) {
	st := bigTrace(t)
	if len(st.Events) < 500 {
		t.Fatalf("the big trace has %d events", len(st.Events))
	}
	m, _ := New(context.Background(), testLessons(t), Options{Theme: "dark"})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.les = &lesson{sc: testLessons(t).Lookup("spf-fail"), selected: -1}
	m.screen = screenLesson
	m.les.reset([]scenarios.Step{st})
	v := plain(m)
	checkFrame(t, v, 100, 30)
	if !strings.Contains(v, "DNS lookups 0/10") || !strings.Contains(v, "✓ -all: match → fail") ||
		!strings.Contains(v, "result fail for euston.net") || !strings.Contains(v, fmt.Sprintf("↑ %d", m.hit.spf.top)) {
		t.Errorf("the view:\n%s", v)
	}
	if m.hit.spf.max < 1000 {
		t.Errorf("the SPF pane scrolls %d lines, want the 500 terms and their reasons", m.hit.spf.max)
	}
}

// BenchmarkFirstFrame makes the lab on the test lessons and draws its
// first frame at 80×24 (the binary's own figure is measured in tmux by
// TestTmuxFirstFrame in package main).
//
//	go test -run '^$' -bench FirstFrame -benchmem ./tui
func BenchmarkFirstFrame(b *testing.B) {
	f := testLessons(b)
	b.ReportAllocs()
	for b.Loop() {
		m, err := New(context.Background(), f, Options{})
		if err != nil {
			b.Fatal(err)
		}
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		if v := m.View(); v.Content == "" {
			b.Fatal("no view")
		}
	}
}
