package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"spflab/internal/testtool"
)

// openPTY opens a pseudo-terminal of cols×rows: the master end the test
// reads, the slave end the lab runs on.
func openPTY(cols, rows uint16) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, err
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows}); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, err
	}
	return master, slave, nil
}

// firstFrame execs the lab on a pty of its own and returns the time from
// exec to its first full frame: the lesson list down to the key bar.
func firstFrame(tb testing.TB, bin string) time.Duration {
	tb.Helper()
	master, slave, err := openPTY(100, 30)
	if err != nil {
		tb.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	cmd := exec.Command(bin, "--theme", "dark")
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "XDG_STATE_HOME="+tb.TempDir())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	slave.Close()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		master.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := master.Read(buf)
		out = append(out, buf[:n]...)
		// The frame is drawn top to bottom: the key bar's last word ends it.
		if bytes.Contains(out, []byte("Lessons")) && bytes.Contains(out, []byte("quit")) {
			return time.Since(start)
		}
		if err != nil {
			tb.Fatalf("no first frame: %v after %q", err, out)
		}
	}
}

// BenchmarkFirstFramePTY: from exec to the first full frame of the lab on
// a pseudo-terminal, the binary built once (issue 14's target: median ≤
// 100 ms). It reports the median of the runs.
//
//	go test -run '^$' -bench FirstFramePTY -benchtime 20x .
func BenchmarkFirstFramePTY(b *testing.B) {
	bin := testtool.Binary(b, ".")
	var times []time.Duration
	for b.Loop() {
		times = append(times, firstFrame(b, bin))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms/first-frame")
}
