package classroom

import (
	"fmt"
	"os/exec"
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

// TestMonitorFeed: SMTP events wait for the monitor until it ends; DNS
// queries never wait.
func TestMonitorFeed(t *testing.T) {
	f := NewFeed()
	for i := range feedBuffer + 10 {
		f.DNS(fakedns.Query{Name: fmt.Sprint(i)}) // the last 10 are dropped, not waited for
	}
	if len(f.dns) != feedBuffer {
		t.Errorf("%d queries buffered, want %d", len(f.dns), feedBuffer)
	}
	for range feedBuffer {
		f.SMTP(smtpsim.Event{})
	}
	sent := make(chan struct{})
	go func() {
		f.SMTP(smtpsim.Event{Seq: 1}) // the buffer is full: waits
		close(sent)
	}()
	select {
	case <-sent:
		t.Fatal("an SMTP event did not wait for a monitor that is behind")
	case <-time.After(50 * time.Millisecond):
	}
	f.Close() // the monitor ended
	select {
	case <-sent:
	case <-time.After(waitFor):
		t.Fatal("an SMTP event still waits after the monitor ended")
	}
	f.SMTP(smtpsim.Event{}) // and later ones do not wait
}
