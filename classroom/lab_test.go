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

func TestReverseAddr(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for not a reverse name
	}{
		{"80.2.0.192.in-addr.arpa", "192.0.2.80"},
		{"80.2.0.192.IN-ADDR.ARPA.", "192.0.2.80"},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "2001:db8::1"},
		{"2.0.192.in-addr.arpa", ""},
		{"256.2.0.192.in-addr.arpa", ""},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.g.ip6.arpa", ""},
		{"10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", ""},
		{"euston.net", ""},
	}
	for _, tt := range tests {
		ip, ok := reverseAddr(tt.name)
		if got := ""; ok {
			got = ip.String()
			if got != tt.want {
				t.Errorf("reverseAddr(%q) = %s, want %q", tt.name, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("reverseAddr(%q): not a reverse name, want %s", tt.name, tt.want)
		}
	}
}

// FuzzReverseAddr: a name reverseAddr accepts is the reverse name of the
// address it returns.
func FuzzReverseAddr(f *testing.F) {
	f.Add("80.2.0.192.in-addr.arpa")
	f.Add("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")
	f.Fuzz(func(t *testing.T, name string) {
		ip, ok := reverseAddr(name)
		if !ok {
			return
		}
		if want := strings.ToLower(strings.TrimSuffix(name, ".")); fakedns.ReverseName(ip) != want {
			t.Fatalf("reverseAddr(%q) = %s, whose reverse name is %s", name, ip, fakedns.ReverseName(ip))
		}
	})
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
