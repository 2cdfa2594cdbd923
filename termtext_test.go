package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// hostileText is what an attacker puts where spflab prints text: an OSC 52
// clipboard write, a title change, a screen clear, a CR that overwrites
// the line, an 8-bit CSI.
const hostileText = "x\x1b]52;c;aGk=\x07\x1b]0;pwned\x07\x1b[2J\u009b2J"

// controlByte finds what must never reach the terminal: C0 controls
// other than line feed and tab, DEL and C1 controls.
var controlByte = regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]")

// TestNoTerminalInjection: a lesson file's texts and a client's lines
// reach list, run, test and serve's text log as visible symbols (␛, ␍),
// never as control characters.
func TestNoTerminalInjection(t *testing.T) {
	dir := t.TempDir()
	lesson := fmt.Sprintf(`scenarios:
  - id: hostile
    title: %q
    summary: %q
    lesson: %q
    client: 192.0.2.80
    zones:
      euston.net:
        - TXT: %q
    dialogue:
      - narration: %q
        send: "HELO mail.euston.net"
        notice: %q
        expect: {code: 250, text: %q}
      - send: QUIT
`, hostileText, hostileText, hostileText+"\rfake", "v=spf1 -all "+hostileText, hostileText+"\rfake", hostileText+"\rfake", hostileText)
	file := filepath.Join(dir, "hostile.yaml")
	if err := os.WriteFile(file, []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"list", "--scenarios", file},
		{"run", "--scenarios", file, "hostile"},
		{"run", "--scenarios", file, "hostile", "--format", "markdown"},
		{"test", file},
	} {
		_, out, errs := spflab(args...)
		if out+errs == "" {
			t.Errorf("%s: no output", args)
		}
		if m := controlByte.FindString(out + errs); m != "" {
			t.Errorf("%s: control character %q reached the output:\n%s%s", args, m, out, errs)
		}
		if !strings.Contains(out+errs, "␛]52;c;aGk=␇") && !strings.Contains(out+errs, `\x1b]52;c;aGk=\a`) {
			t.Errorf("%s: the escape sequence is not shown as symbols:\n%s%s", args, out, errs)
		}
	}

	// serve --no-tui: any client on the LAN types into the log.
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := newLineBuffer(), newLineBuffer()
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve", "--smtp", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--no-tui"}, out, errs)
	}()
	line, _ := out.wait(t, 0, "listening", func(l string) bool { return strings.Contains(l, " serve listening: SMTP ") })
	addr := strings.TrimSuffix(strings.Fields(line[strings.Index(line, "SMTP "):])[1], ",")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "HELO %s\r\nQUIT\r\n", hostileText)
	r := bufio.NewReader(conn)
	for {
		l, err := r.ReadString('\n')
		if err != nil || strings.HasPrefix(l, "221") {
			break
		}
	}
	conn.Close()
	out.wait(t, 0, "the session's close", func(l string) bool { return strings.Contains(l, "connection closed") })
	cancel()
	<-exit
	if m := controlByte.FindString(out.String()); m != "" {
		t.Errorf("serve --no-tui: control character %q reached the log:\n%s", m, out)
	}
	if !strings.Contains(out.String(), "C: HELO x␛]52;c;aGk=␇") {
		t.Errorf("serve --no-tui: the client's line is not shown as symbols:\n%s", out)
	}
}
