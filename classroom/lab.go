package classroom

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"

	"spflab/fakedns"
	"spflab/scenarios"
	"spflab/smtpsim"
	"spflab/spf"
)

// A Lab is one lesson served for real clients: its SMTP server (smtpsim)
// and its DNS (fakedns over UDP and TCP), both answering from the same
// zone.
type Lab struct {
	lesson *Lesson
	smtp   *smtpsim.Server
	dns    *fakedns.Server
}

// A Lesson is what a Lab serves and what its hints name: the zone, the
// server's behaviour, and the client the lesson plays with the lines it
// types.
type Lesson struct {
	ID, Title string // "" for a bare zone
	Zone      *fakedns.Zone
	Config    smtpsim.Config // the server, without Addr, Resolver and OnEvent
	// Client is the address the printed swaks command claims with XCLIENT.
	Client netip.Addr
	// HELO, From and To are what the client says first (From "<>" for
	// the null sender).
	HELO, From, To string
	// Lines are the lesson's lines as written, up to its first DATA or
	// QUIT, for typing into nc.
	Lines []string
}

// messageLines is how many lines of each message a lab reports one by
// one when Config.Limits does not say (smtpsim.Limits.MessageLineEvents):
// the header fields and the start of the body, for the monitor and the
// log; the rest of a message is one line that counts it.
const messageLines = 20

// Config says where a Lab listens and how its SMTP server is bounded.
type Config struct {
	SMTPAddr, DNSAddr string
	// XClientTrusted is smtpsim.Config.XClientTrusted: nil for loopback.
	XClientTrusted []netip.Prefix
	// Limits bound the SMTP server; zero fields take smtpsim's defaults,
	// but MessageLineEvents is 20.
	Limits smtpsim.Limits
	// DNSRateLimit is fakedns.Server.RateLimit: UDP answers a second per
	// client, 0 for no limit.
	DNSRateLimit int
	// OnSMTP and OnDNS receive every SMTP event and DNS query.
	OnSMTP func(smtpsim.Event)
	OnDNS  func(fakedns.Query)
}

// Start starts the lesson's DNS server, then its SMTP server; when one
// cannot listen, nothing is left running and the error says which port.
func Start(l *Lesson, cfg Config) (*Lab, error) {
	d := &fakedns.Server{Zone: l.Zone, OnQuery: cfg.OnDNS, RateLimit: cfg.DNSRateLimit}
	if err := d.Start(cfg.DNSAddr); err != nil {
		return nil, listenError("DNS", "--dns", cfg.DNSAddr, err)
	}
	sc := l.Config
	sc.Addr = cfg.SMTPAddr
	sc.Resolver = l.Zone
	sc.XClientTrusted = cfg.XClientTrusted
	sc.Limits = cfg.Limits
	if sc.Limits.MessageLineEvents == 0 {
		sc.Limits.MessageLineEvents = messageLines
	}
	sc.OnEvent = cfg.OnSMTP
	s, err := smtpsim.NewServer(sc)
	if err == nil {
		err = s.Start()
		if err != nil {
			err = listenError("SMTP", "--smtp", cfg.SMTPAddr, err)
		}
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return &Lab{lesson: l, smtp: s, dns: d}, nil
}

// listenError turns a failure to listen into one line that names the
// service, the address and what to do.
func listenError(service, flag, addr string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("%s port %s is taken (another spflab serve?): choose another with %s HOST:PORT", service, addr, flag)
	case errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%s port %s needs privileges (ports below 1024 need root or CAP_NET_BIND_SERVICE): choose another with %s HOST:PORT", service, addr, flag)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Errorf("%s address %s is not an address of this machine: choose another with %s HOST:PORT", service, addr, flag)
	}
	return fmt.Errorf("%s on %s: %w", service, addr, err)
}

// Lesson returns the lesson the lab serves.
func (b *Lab) Lesson() *Lesson { return b.lesson }

// SMTPConfig returns the configuration of the lab's SMTP server, its
// defaults filled in.
func (b *Lab) SMTPConfig() smtpsim.Config { return b.smtp.Config() }

// Mailbox returns the messages the lab's SMTP server accepted.
func (b *Lab) Mailbox() *smtpsim.Mailbox { return b.smtp.Mailbox() }

// SMTPAddr returns the address the SMTP server listens on.
func (b *Lab) SMTPAddr() string { return b.smtp.Addr().String() }

// DNSAddr returns the address the DNS server listens on, UDP and TCP.
func (b *Lab) DNSAddr() string { return b.dns.Addr() }

// Shutdown stops both servers: the SMTP sessions in progress may finish
// until ctx ends, then they are closed.
func (b *Lab) Shutdown(ctx context.Context) error {
	err := b.smtp.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = nil // the sessions left were closed: that is the plan
	}
	return errors.Join(err, b.dns.Close())
}

// StopAccepting closes the SMTP listener: no new session starts, the
// sessions in progress go on until Shutdown or Close.
func (b *Lab) StopAccepting() { b.smtp.StopAccepting() }

// Close stops both servers at once, closing the sessions in progress.
func (b *Lab) Close() error {
	return errors.Join(b.smtp.Close(), b.dns.Close())
}

// Label names what a lesson serves: "lesson ID: title" or "zone FILE".
func (l *Lesson) Label() string {
	if l.ID != "" {
		return "lesson " + l.ID + ": " + l.Title
	}
	return "zone " + l.Title
}

// dialAddr is an address a client on this machine can connect to: a
// wildcard host (0.0.0.0, ::, "", which take IPv4 too) becomes 127.0.0.1.
func dialAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// IsLoopbackHost reports whether host (of a listen address) is loopback
// only: "localhost" or a loopback address. "" and 0.0.0.0 listen
// everywhere.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// ZoneLesson is the lesson of a bare zone file: the seed's server (sendmail's words, SPF at
// RCPT, unknown sender domains refused), the client the zone's first
// reverse name describes, a sender at the zone's first SPF domain.
func ZoneLesson(z *fakedns.Zone, file string) *Lesson {
	l := &Lesson{Title: file, Zone: z, Client: netip.MustParseAddr("192.0.2.1"), HELO: "client.example", To: "user@example.com",
		Config: smtpsim.Config{Personality: smtpsim.PersonalitySendmail}}
	var spfDomain, mxDomain string
	ptrFound := false
	for _, name := range z.Names() {
		for _, r := range z.Records(name) {
			switch r.Type {
			case "PTR":
				if ip, ok := fakedns.ParseReverseName(name); ok && !ptrFound {
					ptrFound = true
					l.Client, l.HELO = ip, r.Data
				}
			case "MX":
				if mxDomain == "" {
					mxDomain = name
				}
			}
		}
		if spfDomain == "" && slices.ContainsFunc(z.TXT(name), spf.IsSPFRecord) {
			spfDomain = name
		}
	}
	sender := cmp.Or(spfDomain, mxDomain, "example.com")
	l.From = "postmaster@" + sender
	l.Lines = []string{"HELO " + l.HELO, "MAIL From:" + l.From, "RCPT To:" + l.To}
	return l
}

// ScenarioLesson is the lesson of a scenario: its zone, server and client,
// and what its dialogue says up to the first DATA.
func ScenarioLesson(sc *scenarios.Scenario) *Lesson {
	l := &Lesson{ID: sc.ID, Title: sc.Title, Zone: sc.Zone, Config: sc.Server.Config(nil), Client: sc.Client}
	for _, st := range sc.Dialogue {
		verb := st.Verb()
		if verb == "DATA" || verb == "QUIT" {
			break
		}
		if st.Kind != scenarios.StepSend {
			continue
		}
		l.Lines = append(l.Lines, st.Line)
		arg := st.Arg()
		switch {
		case (verb == "HELO" || verb == "EHLO") && l.HELO == "":
			l.HELO = arg
		case verb == "MAIL" && l.From == "":
			l.From = arg
		case verb == "RCPT" && l.To == "":
			l.To = arg
		}
	}
	l.HELO = cmp.Or(l.HELO, "client.example")
	l.From = cmp.Or(l.From, "postmaster@"+l.HELO)
	l.To = cmp.Or(l.To, "user@example.com")
	return l
}
