package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"spflab/classroom"
	"spflab/fakedns/zonedata"
	"spflab/termtext"
	"spflab/tui"
)

const serveSynopsis = "serve [--scenario ID | --scenarios FILE | --zone FILE] [--smtp ADDR] [--dns ADDR] [--no-tui] [--json] [--listen-public]"

const serveHelp = `
Serve runs one lesson for real tools: its SMTP server (SPF policy, XCLIENT,
the mailbox) and its DNS zone over UDP and TCP, both on loopback, until
Ctrl+C. It prints a swaks command that sends the lesson's message as the
lesson's client (XCLIENT), an nc line with the lesson's lines to type, and
dig commands for the lesson's TXT, MX and PTR names.

The lesson is --scenario ID from the built-in lessons or from --scenarios
FILE (default: the first of FILE, or the built-in seed-spf-fail); or a bare
--zone FILE (zonedata YAML or a BIND zone file) served with the seed's
server: SPF at RCPT, unknown sender domains refused.

The monitor shows every session and DNS query live; --no-tui logs one line
per event instead (--json: one JSON object per line, with "source" smtp,
dns or serve). Ctrl+C (or q in the monitor) stops the servers: open
sessions have --grace to finish, then they are closed. Exit status: 0
after Ctrl+C, 1 a server could not start, 2 bad usage.

flags:`

// The defaults of serve.
const (
	defaultSMTPAddr    = "127.0.0.1:2525"
	defaultDNSAddr     = "127.0.0.1:5353"
	defaultServeLesson = "seed-spf-fail"
	// defaultMaxSessions lets a classroom, or a load test of 200 clients,
	// connect at once.
	defaultMaxSessions = 500
	// defaultPublicDNSRate is what a class of resolvers needs and a
	// forged flood does not get (answers a second per client over UDP).
	defaultPublicDNSRate = 50
)

// serveFlags are serve's command line.
type serveFlags struct {
	scenario, scenarios, zone, origin string
	client                            string
	smtpAddr, dnsAddr                 string
	noTUI, json, public               bool
	presenter                         bool
	theme                             string
	xclientFrom                       string
	maxSessions, maxPerIP, dnsRate    int
	greeting, grace                   time.Duration
}

func (f *serveFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.scenario, "scenario", "", "serve the lesson `ID` ('spflab list' shows them)")
	fs.StringVar(&f.scenarios, "scenarios", "", "take the lesson from scenarios `FILE` instead of the built-in lessons")
	fs.StringVar(&f.zone, "zone", "", "serve the zone `FILE` (zonedata .yml/.yaml, else BIND) with the seed's server")
	fs.StringVar(&f.origin, "origin", "", "the origin `DOMAIN` of a BIND --zone file that does not set $ORIGIN")
	fs.StringVar(&f.client, "client", "", "the client `IP` the printed swaks command claims (default: the lesson's)")
	fs.StringVar(&f.smtpAddr, "smtp", "", "listen for SMTP on `HOST:PORT` (default "+defaultSMTPAddr+"; with --listen-public, every interface)")
	fs.StringVar(&f.dnsAddr, "dns", "", "serve DNS over UDP and TCP on `HOST:PORT` (default "+defaultDNSAddr+"; with --listen-public, every interface)")
	fs.BoolVar(&f.noTUI, "no-tui", false, "log one line per event instead of the monitor")
	fs.BoolVar(&f.json, "json", false, "log JSON objects, one per line (implies --no-tui)")
	fs.BoolVar(&f.presenter, "presenter", false, "monitor for a projector: larger spacing, high contrast")
	fs.StringVar(&f.theme, "theme", "", "monitor on a `dark` or light background; default: ask the terminal")
	fs.BoolVar(&f.public, "listen-public", false, "allow addresses other than loopback: other machines can reach the lab")
	fs.StringVar(&f.xclientFrom, "xclient-from", "", "the `NETWORKS` (CIDR, comma-separated, or \"none\") that may use XCLIENT (default loopback)")
	fs.IntVar(&f.maxSessions, "max-sessions", defaultMaxSessions, "the most SMTP sessions at once")
	fs.IntVar(&f.maxPerIP, "max-sessions-per-ip", 20, "the most SMTP sessions at once from one address (loopback: --max-sessions only)")
	fs.DurationVar(&f.greeting, "greeting-timeout", 30*time.Second, "how long a new SMTP connection may stay silent before its first command")
	fs.IntVar(&f.dnsRate, "dns-rate", -1, "UDP DNS answers a `SECOND` to one client before they are empty with TC (default: 50 with --listen-public, else no limit; 0: no limit)")
	fs.DurationVar(&f.grace, "grace", 5*time.Second, "how long Ctrl+C lets open sessions finish")
}

// serveOptions are "spflab serve"'s command line, checked, with the
// lesson it loaded and the lab's configuration.
type serveOptions struct {
	flags  serveFlags
	lesson *classroom.Lesson
	lab    classroom.Config
}

func parseServe(args []string, stderr io.Writer) (serveOptions, error) {
	var o serveOptions
	fs := newHelpFlagSet("serve", serveSynopsis, serveHelp, stderr)
	o.flags.add(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return o, err
	}
	if len(rest) > 0 {
		fail(stderr, "serve", exitUsage, fmt.Errorf("unexpected argument %q", rest[0]))
		fs.Usage()
		return o, errUsage
	}
	if o.lesson, o.lab, err = o.flags.resolve(); err != nil {
		fail(stderr, "serve", exitUsage, err)
		return o, errUsage
	}
	return o, nil
}

// runServe serves the lesson until ctx ends (Ctrl+C) or the user quits
// the monitor: see serveHelp.
func runServe(ctx context.Context, o serveOptions, stdout, stderr io.Writer) int {
	return serve(ctx, o.lesson, o.lab, o.flags, stdout, stderr)
}

// resolve checks the flags and loads the lesson.
func (f *serveFlags) resolve() (*classroom.Lesson, classroom.Config, error) {
	var cfg classroom.Config
	for _, a := range []struct {
		flag, def string
		addr      *string
	}{{"--smtp", defaultSMTPAddr, &f.smtpAddr}, {"--dns", defaultDNSAddr, &f.dnsAddr}} {
		if *a.addr == "" {
			*a.addr = a.def
			if f.public {
				_, port, _ := net.SplitHostPort(a.def)
				*a.addr = ":" + port
			}
		}
		host, _, err := net.SplitHostPort(*a.addr)
		if err != nil {
			return nil, cfg, fmt.Errorf("%s %q: want HOST:PORT, e.g. %s", a.flag, *a.addr, a.def)
		}
		if !f.public && !classroom.IsLoopbackHost(host) {
			return nil, cfg, fmt.Errorf("%s %s is not loopback: add --listen-public to let other machines reach the lab", a.flag, *a.addr)
		}
	}
	cfg.SMTPAddr, cfg.DNSAddr = f.smtpAddr, f.dnsAddr
	switch {
	case f.maxSessions <= 0:
		return nil, cfg, fmt.Errorf("--max-sessions %d: must be positive", f.maxSessions)
	case f.maxPerIP <= 0:
		return nil, cfg, fmt.Errorf("--max-sessions-per-ip %d: must be positive", f.maxPerIP)
	case f.greeting <= 0:
		return nil, cfg, fmt.Errorf("--greeting-timeout %v: must be positive", f.greeting)
	}
	if f.grace < 0 {
		return nil, cfg, fmt.Errorf("--grace %v: must not be negative", f.grace)
	}
	cfg.Limits.MaxSessions, cfg.Limits.MaxSessionsPerIP, cfg.Limits.GreetingTimeout = f.maxSessions, f.maxPerIP, f.greeting
	cfg.DNSRateLimit = f.dnsRate
	if f.dnsRate < 0 {
		cfg.DNSRateLimit = 0
		if f.public {
			cfg.DNSRateLimit = defaultPublicDNSRate
		}
	}
	if f.theme != "" && f.theme != "dark" && f.theme != "light" {
		return nil, cfg, fmt.Errorf("--theme %q: want dark or light", f.theme)
	}
	var err error
	if cfg.XClientTrusted, err = parseNetworks(f.xclientFrom); err != nil {
		return nil, cfg, fmt.Errorf("--xclient-from: %w", err)
	}
	l, err := f.lesson()
	if err != nil {
		return nil, cfg, err
	}
	if f.client != "" {
		ip, err := netip.ParseAddr(f.client)
		if err != nil {
			return nil, cfg, fmt.Errorf("--client %q: not an IP address", f.client)
		}
		l.Client = ip.Unmap()
	}
	return l, cfg, nil
}

// lesson loads what --scenario, --scenarios or --zone name.
func (f *serveFlags) lesson() (*classroom.Lesson, error) {
	if f.zone != "" {
		if f.scenario != "" || f.scenarios != "" {
			return nil, errors.New("--zone serves a zone without a lesson: it excludes --scenario and --scenarios")
		}
		z, err := zonedata.LoadFile(f.zone, f.origin)
		if err != nil {
			return nil, fmt.Errorf("--zone: %w", err)
		}
		return classroom.ZoneLesson(z, f.zone), nil
	}
	if f.origin != "" {
		return nil, errors.New("--origin goes with a BIND --zone file")
	}
	file, err := loadLessons(f.scenarios)
	if err != nil {
		return nil, err
	}
	id := f.scenario
	switch {
	case id == "" && f.scenarios == "":
		id = defaultServeLesson
	case id == "" && len(file.Scenarios) > 0:
		id = file.Scenarios[0].ID
	}
	sc := file.Lookup(id)
	if sc == nil {
		return nil, fmt.Errorf("no scenario %q in %s ('spflab list' shows them)", id, file.Name)
	}
	return classroom.ScenarioLesson(sc), nil
}

// parseNetworks parses --xclient-from: "" is nil (smtpsim's default,
// loopback), "none" an empty list, else comma-separated prefixes or
// addresses.
func parseNetworks(s string) ([]netip.Prefix, error) {
	switch strings.TrimSpace(s) {
	case "":
		return nil, nil
	case "none":
		return []netip.Prefix{}, nil
	}
	var out []netip.Prefix
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		p, err := netip.ParsePrefix(part)
		if err != nil {
			ip, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return nil, fmt.Errorf("item %d %q: not a network (192.0.2.0/24) or an address", i+1, part)
			}
			p = netip.PrefixFrom(ip, ip.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// serve runs the lab until ctx ends, or the user quits the monitor.
func serve(ctx context.Context, l *classroom.Lesson, cfg classroom.Config, f serveFlags, stdout, stderr io.Writer) int {
	useTUI := !f.noTUI && !f.json && isTerminal(stdout)
	if !f.noTUI && !f.json && !useTUI {
		fmt.Fprintln(stderr, "spflab serve: no terminal for the monitor: logging events instead (--no-tui)")
	}
	log := classroom.NewLog(termtext.NewWriter(stdout), f.json)
	defer log.Flush()
	var feed *classroom.Feed
	if useTUI {
		feed = classroom.NewFeed()
		cfg.OnSMTP, cfg.OnDNS = feed.SMTP, feed.DNS
	} else {
		cfg.OnSMTP, cfg.OnDNS = log.SMTP, log.DNS
	}
	b, err := classroom.Start(l, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "spflab serve: %v\n", err)
		return 1
	}
	var warning string
	if f.public {
		warning = fmt.Sprintf("warning: --listen-public: SMTP %s and DNS %s may be reachable from other machines (which connect to this machine's address); XCLIENT stays limited to %s",
			b.SMTPAddr(), b.DNSAddr(), classroom.Networks(b.SMTPConfig().XClientTrusted))
		fmt.Fprintf(stderr, "spflab serve: %s\n", warning)
	}
	h := b.Hints()
	status := 0
	switch {
	case useTUI:
		lines := h.Lines()
		if warning != "" {
			lines = append([]string{warning}, lines...)
		}
		if err := runMonitor(ctx, feed, tui.MonitorOptions{Title: l.Label(), Hints: lines, Messages: b.Mailbox().Messages}, f); err != nil {
			fmt.Fprintf(stderr, "spflab serve: the monitor: %v\n", err)
			status = 1
		}
		if events, queries := feed.Dropped(); events+queries > 0 {
			fmt.Fprintf(stderr, "spflab serve: the monitor fell behind: %d SMTP events and %d DNS queries were not shown\n", events, queries)
		}
		fmt.Fprintf(stderr, "spflab serve: stopping: open sessions have %v to finish\n", f.grace)
	default:
		var out io.Writer = termtext.NewWriter(stdout)
		if f.json {
			out = stderr // stdout is for the JSON log alone
		}
		fmt.Fprintf(out, "spflab serve: %s\n", l.Label())
		h.Write(out)
		log.Serve(fmt.Sprintf("listening: SMTP %s, DNS %s", b.SMTPAddr(), b.DNSAddr()), classroom.State{
			State: "listening", SMTP: b.SMTPAddr(), DNS: b.DNSAddr(), Lesson: l.ID, Client: l.Client.String(), Commands: h.Commands(),
		})
		<-ctx.Done()
		b.StopAccepting() // before saying so: a client told "stopping" finds the port closed
		log.Serve(fmt.Sprintf("shutting down: open sessions have %v to finish", f.grace), classroom.State{State: "stopping"})
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.grace)
	defer cancel()
	if err := b.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "spflab serve: shutdown: %v\n", err)
		return 1
	}
	if useTUI {
		fmt.Fprintln(stderr, "spflab serve: stopped")
	} else {
		log.Serve("stopped", classroom.State{State: "stopped"})
	}
	return status
}

// runMonitor shows the monitor until the user quits it or ctx ends.
func runMonitor(ctx context.Context, feed *classroom.Feed, opts tui.MonitorOptions, f serveFlags) error {
	defer feed.Close()
	opts.Presenter, opts.Theme = f.presenter, f.theme
	return tui.RunMonitor(ctx, tui.MonitorFeed{SMTP: feed.SMTPEvents(), DNS: feed.DNSQueries()}, opts)
}

// isTerminal reports whether the monitor can run: stdout and stdin are
// terminals.
func isTerminal(stdout io.Writer) bool {
	out, ok := stdout.(*os.File)
	return ok && term.IsTerminal(out.Fd()) && term.IsTerminal(os.Stdin.Fd())
}
