package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"spflab/internal/testtool"
	"spflab/livedns"
)

// TestCheckAgainstDnsmasq points check and lint at a real authoritative
// server, dnsmasq without upstream (--no-resolv), which answers REFUSED
// for every name outside what it serves — the case issue 13 found broken:
// the checker must not give up on a server that refuses names it is not
// asked about, and must pass.
func TestCheckAgainstDnsmasq(t *testing.T) {
	t.Parallel()
	dnsmasq := testtool.Need(t, "dnsmasq", "apt-get install dnsmasq")
	addr := freeUDPPort(t)
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	var log bytes.Buffer
	cmd := exec.Command(dnsmasq, "--no-daemon", "--no-resolv", "--no-hosts", "--bind-interfaces",
		"--listen-address=127.0.0.1", "--port="+port, "--log-facility=-",
		"--txt-record=example.com,v=spf1 ip4:192.0.2.0/24 include:_spf.example.com mx -all",
		"--txt-record=_spf.example.com,v=spf1 ip4:198.51.100.0/24 -all",
		"--mx-host=example.com,mx1.example.com,10", "--host-record=mx1.example.com,192.0.2.10")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// dnsmasq answers once it listens; out-of-zone names are refused.
	c := livedns.NewClient(addr)
	deadline := time.Now().Add(waitFor)
	for {
		if _, err := c.LookupTXT(t.Context(), "example.com"); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("dnsmasq does not answer on %s: %v\n%s", addr, err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := c.LookupTXT(t.Context(), "example.net"); err == nil || !strings.Contains(err.Error(), "REFUSED") {
		t.Fatalf("dnsmasq answers example.net with %v, want REFUSED: the test would prove nothing", err)
	}

	for _, tt := range []struct {
		args   []string
		status int
		stdout []string
	}{
		{[]string{"check", "example.com", "--dns", addr, "--ip", "198.51.100.7"}, 0, []string{"result:       pass\n", "mechanism:    include:_spf.example.com\n"}},
		{[]string{"check", "example.com", "--dns", addr, "--ip", "203.0.113.9"}, 1, []string{"result:       fail\n"}},
		{[]string{"check", "example.com", "--dns", addr, "--ip", "192.0.2.10", "--record", "v=spf1 mx -all"}, 0, []string{"result:       pass\n", "mechanism:    mx\n"}},
		{[]string{"lint", "example.com", "--dns", addr}, 0, []string{"0 errors, 0 warnings"}},
	} {
		code, stdout, stderr := spflab(tt.args...)
		if code != tt.status {
			t.Errorf("%s: exit status %d, want %d\n%s%s", tt.args, code, tt.status, stdout, stderr)
		}
		wantInOrder(t, stdout, tt.stdout...)
	}
}
