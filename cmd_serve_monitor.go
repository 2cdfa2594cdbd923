package main

import (
	"context"
	"io"
	"os"

	"github.com/charmbracelet/x/term"

	"spflab/fakedns"
	"spflab/smtpsim"
	"spflab/tui"
)

// feedBuffer is how many events wait for the monitor before a session
// waits for it.
const feedBuffer = 4096

// monitorFeed passes the lab's events to the monitor (tui.RunMonitor).
// An SMTP session waits while the monitor is behind, so that its story is
// never told with holes; a DNS query is dropped instead, so that a
// client's flood of queries never slows the DNS server (the monitor shows
// the latest queries anyway). Once the monitor has ended (Close), events
// are dropped.
type monitorFeed struct {
	smtp chan smtpsim.Event
	dns  chan fakedns.Query
	done chan struct{}
}

func newMonitorFeed() *monitorFeed {
	return &monitorFeed{smtp: make(chan smtpsim.Event, feedBuffer), dns: make(chan fakedns.Query, feedBuffer), done: make(chan struct{})}
}

// SMTP is an smtpsim OnEvent.
func (m *monitorFeed) SMTP(e smtpsim.Event) {
	select {
	case m.smtp <- e:
	case <-m.done:
	}
}

// DNS is a fakedns OnQuery.
func (m *monitorFeed) DNS(q fakedns.Query) {
	select {
	case m.dns <- q:
	default:
	}
}

// Close tells the feed that the monitor has ended.
func (m *monitorFeed) Close() { close(m.done) }

// Feed is what tui.RunMonitor reads.
func (m *monitorFeed) Feed() tui.MonitorFeed { return tui.MonitorFeed{SMTP: m.smtp, DNS: m.dns} }

// runMonitor shows the monitor until the user quits it or ctx ends.
func runMonitor(ctx context.Context, feed *monitorFeed, title string, hints []string, f serveFlags) error {
	defer feed.Close()
	return tui.RunMonitor(ctx, feed.Feed(), tui.MonitorOptions{Title: title, Hints: hints, Presenter: f.presenter, Theme: f.theme})
}

// isTerminal reports whether the monitor can run: stdout and stdin are
// terminals.
func isTerminal(stdout io.Writer) bool {
	out, ok := stdout.(*os.File)
	return ok && term.IsTerminal(out.Fd()) && term.IsTerminal(os.Stdin.Fd())
}
