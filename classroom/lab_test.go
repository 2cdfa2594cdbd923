package classroom

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"spflab/fakedns"
	"spflab/smtpsim"
)

// waitFor bounds every wait of these tests: a safety net against a hang,
// not a measure of speed.
const waitFor = 20 * time.Second

func TestDialAddr(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"[::]:2525", "127.0.0.1:2525"}, {"0.0.0.0:25", "127.0.0.1:25"}, {":53", "127.0.0.1:53"}, {"[::1]:53", "[::1]:53"}, {"127.0.0.2:25", "127.0.0.2:25"},
	} {
		if got := dialAddr(tt.in); got != tt.want {
			t.Errorf("dialAddr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShellJoin(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"swaks", "--from", "honeypot@euston.net"}, "swaks --from honeypot@euston.net"},
		{[]string{"swaks", "--from", "<>"}, "swaks --from '<>'"},
		{[]string{"echo", "it's", ""}, `echo 'it'\''s' ''`},
		{[]string{"dig", "@::1", "-p", "5353"}, "dig @::1 -p 5353"},
	}
	for _, tt := range tests {
		if got := shellJoin(tt.args...); got != tt.want {
			t.Errorf("shellJoin(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
	// What a shell reads back.
	if sh, err := exec.LookPath("sh"); err == nil {
		args := []string{"a b", "it's", "<>", "$HOME", `back\slash`, ""}
		out, err := exec.Command(sh, "-c", "printf '%s\\n' "+shellJoin(args...)).Output()
		if err != nil || string(out) != strings.Join(args, "\n")+"\n" {
			t.Errorf("sh read %q (%v), want %q", out, err, args)
		}
	}
}

// TestMonitorFeed: the feed never waits for the monitor. Past its buffer
// it drops and counts; once the monitor has caught up, each session with
// dropped events gets one EventOmitted counting them, before its next
// event.
func TestMonitorFeed(t *testing.T) {
	f := NewFeed()
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		for i := range feedBuffer + 10 {
			f.DNS(fakedns.Query{Name: fmt.Sprint(i)})
		}
		for i := range feedBuffer {
			f.SMTP(smtpsim.Event{Session: 1, Seq: i + 1})
		}
		for i := range 5 { // the buffer is full: dropped
			f.SMTP(smtpsim.Event{Session: 1, Seq: feedBuffer + i + 1})
			f.SMTP(smtpsim.Event{Session: 2, Seq: i + 1})
		}
	}()
	select {
	case <-returned:
	case <-time.After(waitFor):
		t.Fatal("the feed waits for a monitor that is behind")
	}
	if events, queries := f.Dropped(); events != 10 || queries != 10 || len(f.dns) != feedBuffer || len(f.smtp) != feedBuffer {
		t.Fatalf("dropped %d events and %d queries, buffered %d and %d; want 10, 10, %d, %d", events, queries, len(f.smtp), len(f.dns), feedBuffer, feedBuffer)
	}
	for len(f.smtp) > 0 { // the monitor catches up
		<-f.smtp
	}
	f.SMTP(smtpsim.Event{Session: 2, Seq: 6, Kind: smtpsim.EventClose})
	var got []string
	for len(f.smtp) > 0 {
		e := <-f.smtp
		if e.Kind == smtpsim.EventOmitted {
			got = append(got, fmt.Sprintf("session %d: %d dropped", e.Session, e.Omitted.Events))
			continue
		}
		got = append(got, fmt.Sprintf("session %d: %s", e.Session, e.Kind))
	}
	slices.Sort(got[:2]) // the counts come in any order, before the event
	if want := []string{"session 1: 5 dropped", "session 2: 5 dropped", "session 2: close"}; !slices.Equal(got, want) {
		t.Errorf("after catching up the monitor got %q, want %q", got, want)
	}
	f.Close() // the monitor ended: nothing waits, nothing is counted
	f.SMTP(smtpsim.Event{Session: 3})
	if events, _ := f.Dropped(); events != 10 || len(f.smtp) != 0 {
		t.Errorf("after Close: %d dropped, %d buffered", events, len(f.smtp))
	}
}
