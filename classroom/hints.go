package classroom

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// maxDigHints bounds the dig commands printed per record type.
const maxDigHints = 4

// Hints are the commands that connect to a Lab with the real tools.
type Hints struct {
	// XClient says whether the lab lets a client on this machine use
	// XCLIENT, so that swaks and nc can play the lesson's client.
	XClient bool
	Swaks   string   // the lesson's message, sent by its client
	NC      string   // a connection to type SMTP into
	Dig     []string // the lesson's TXT, MX and PTR names
	// More counts the names left out of Dig.
	More int

	lab *Lab
}

// Hints returns the commands for clients on this machine.
func (b *Lab) Hints() Hints {
	l := b.lesson
	smtpAddr, dnsAddr := dialAddr(b.SMTPAddr()), dialAddr(b.DNSAddr())
	host, port, _ := net.SplitHostPort(smtpAddr)
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ip = netip.MustParseAddr("127.0.0.1") // localhost
	}
	cfg := b.smtp.Config()
	h := Hints{XClient: cfg.TrustsXClient(ip), lab: b}
	swaks := []string{"swaks", "--server", smtpAddr}
	if h.XClient {
		swaks = append(swaks, "--xclient-addr", l.Client.String())
	}
	h.Swaks = shellJoin(append(swaks, "--helo", l.HELO, "--from", l.From, "--to", l.To)...)
	h.NC = shellJoin("nc", "-C", host, port)
	host, port, _ = net.SplitHostPort(dnsAddr)
	dig := []string{"dig", "@" + host, "-p", port}
	var txt, mx, ptr []string
	for _, name := range l.Zone.Names() {
		have := map[uint16]bool{}
		for _, rr := range l.Zone.Records(name) {
			have[rr.Header().Rrtype] = true
		}
		if have[dns.TypeTXT] {
			txt = append(txt, shellJoin(slices.Concat(dig, []string{"TXT", name})...))
		}
		if have[dns.TypeMX] {
			mx = append(mx, shellJoin(slices.Concat(dig, []string{"MX", name})...))
		}
		if ip, ok := reverseAddr(name); ok && have[dns.TypePTR] {
			ptr = append(ptr, shellJoin(slices.Concat(dig, []string{"-x", ip.String()})...))
		}
	}
	for _, list := range [][]string{txt, mx, ptr} {
		n := min(len(list), maxDigHints)
		h.Dig = append(h.Dig, list[:n]...)
		h.More += len(list) - n
	}
	return h
}

// Lines are the hints in a few lines, for the monitor: the servers,
// swaks, nc with the lines to type, dig.
func (h Hints) Lines() []string {
	b := h.lab
	l, cfg := b.lesson, b.smtp.Config()
	lines := []string{
		fmt.Sprintf("SMTP %s (%s, SPF at %s, XCLIENT from %s) · DNS %s (UDP and TCP)", b.SMTPAddr(), cfg.Hostname, cfg.CheckAt, Networks(cfg.XClientTrusted), b.DNSAddr()),
		h.Swaks,
	}
	var typed []string
	if h.XClient {
		typed = []string{"XCLIENT ADDR=" + l.Client.String()}
	}
	typed = slices.Concat(typed, l.Lines, []string{"QUIT"})
	lines = append(lines, h.NC+"   then type: "+strings.Join(typed, " · "))
	return append(lines, h.Dig...)
}

// Commands lists every command, for the JSON log.
func (h Hints) Commands() []string {
	return append([]string{h.Swaks, h.NC}, h.Dig...)
}

// Write prints how to connect to the lab: the servers, swaks, nc with
// the lesson's lines, dig.
func (h Hints) Write(w io.Writer) {
	b := h.lab
	l := b.lesson
	cfg := b.smtp.Config()
	fmt.Fprintf(w, "  SMTP %s  %s, SPF checked at %s, XCLIENT from %s\n", b.SMTPAddr(), cfg.Hostname, cfg.CheckAt, Networks(cfg.XClientTrusted))
	fmt.Fprintf(w, "  DNS  %s  UDP and TCP, %d names\n", b.DNSAddr(), len(l.Zone.Names()))
	if h.XClient {
		fmt.Fprintf(w, "\nSend the lesson's message as its client %s (XCLIENT):\n  %s\n", l.Client, h.Swaks)
	} else {
		fmt.Fprintf(w, "\nSend the lesson's message (XCLIENT is not allowed from here: SPF sees your own address):\n  %s\n", h.Swaks)
	}
	fmt.Fprintf(w, "\nType SMTP by hand, like the article:\n  %s\n", h.NC)
	if h.XClient {
		fmt.Fprintf(w, "  nc connects from loopback; type XCLIENT ADDR=%s first to be the lesson's client. Then:\n", l.Client)
	} else {
		fmt.Fprintf(w, "  Then type:\n")
	}
	for _, line := range l.Lines {
		fmt.Fprintf(w, "    %s\n", line)
	}
	fmt.Fprintf(w, "    QUIT\n")
	fmt.Fprintf(w, "\nAsk the lesson's DNS:\n")
	for _, d := range h.Dig {
		fmt.Fprintf(w, "  %s\n", d)
	}
	if h.More > 0 {
		fmt.Fprintf(w, "  (and %d more names)\n", h.More)
	}
	fmt.Fprintf(w, "\nCtrl+C stops the servers.\n\n")
}

// shellJoin writes a command line a POSIX shell reads back as args:
// words with characters other than letters, digits and @%+=:,./_- are
// single-quoted.
func shellJoin(args ...string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	return strings.Join(quoted, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Networks names the networks allowed XCLIENT: "no one" for none.
func Networks(ps []netip.Prefix) string {
	if len(ps) == 0 {
		return "no one"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}
