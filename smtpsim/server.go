package smtpsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"spflab/spf"
)

// ErrServerClosed is returned by Serve, Start and Shutdown on a server
// that was shut down.
var ErrServerClosed = errors.New("smtpsim: server closed")

// Server is an SMTP server (go-smtp) with an SPF policy, a bounded
// in-memory mailbox and a per-session event stream. Several can run in one
// process.
type Server struct {
	cfg     Config
	policy  Policy
	smtp    *smtp.Server
	mailbox *Mailbox
	records *spf.RecordCache
	readers sync.Pool // the front's *bufio.Reader of closed connections

	mu       sync.Mutex
	l        *listener
	closed   bool
	conns    map[*conn]struct{}
	perIP    map[netip.Addr]int // open connections per peer, PerIPExempt left out
	evicting int                // connections in conns whose place was given away
	nextConn uint64
	active   sync.WaitGroup // one per open TCP connection
	serving  sync.WaitGroup // Start's Serve, the accept loop, the evaluators

	evaluations    chan *evaluation // to an idle evaluator (evaluate.go)
	evaluatorsQuit chan struct{}    // closed by Shutdown
}

// NewServer checks cfg, fills in its defaults and returns a server that is
// not listening yet.
func NewServer(cfg Config) (*Server, error) {
	cfg, policy, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		policy:  policy,
		mailbox: newMailbox(cfg.MailboxMessages, cfg.MailboxBytes),
		records: &spf.RecordCache{},
		conns:   make(map[*conn]struct{}),
		perIP:   make(map[netip.Addr]int),

		evaluations:    make(chan *evaluation),
		evaluatorsQuit: make(chan struct{}),
	}
	ss := smtp.NewServer(backend{s})
	ss.Domain = cfg.Hostname
	ss.MaxLineLength = cfg.Limits.MaxLineLength
	ss.MaxMessageBytes = cfg.Limits.MaxMessageBytes
	ss.MaxRecipients = cfg.Limits.MaxRecipients
	ss.ReadTimeout = cfg.Limits.ReadTimeout
	ss.WriteTimeout = cfg.Limits.WriteTimeout
	ss.ErrorLog = log.New(io.Discard, "", 0)
	if cfg.ErrorLog != nil {
		ss.ErrorLog = cfg.ErrorLog
	}
	s.smtp = ss
	return s, nil
}

// Config returns the server's configuration with its defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Mailbox returns the store of the messages the server accepted.
func (s *Server) Mailbox() *Mailbox { return s.mailbox }

// Start listens on Config.Addr and serves in the background until
// Shutdown.
func (s *Server) Start() error {
	tl, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtpsim: %w", err)
	}
	l, err := s.listen(tl)
	if err != nil {
		tl.Close()
		return err
	}
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		s.smtp.Serve(l)
	}()
	return nil
}

// Serve serves the connections of tl until Shutdown; it returns nil then.
// A Server serves one listener.
func (s *Server) Serve(tl net.Listener) error {
	l, err := s.listen(tl)
	if err != nil {
		return err
	}
	s.serving.Add(1)
	defer s.serving.Done()
	if err := s.smtp.Serve(l); err != nil {
		return fmt.Errorf("smtpsim: %w", err)
	}
	return nil
}

// listen sets up the front listener over tl and starts accepting.
func (s *Server) listen(tl net.Listener) (*listener, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, ErrServerClosed
	case s.l != nil:
		return nil, errors.New("smtpsim: the server is already serving")
	}
	l := &listener{tl: tl, ch: make(chan *vconn), done: make(chan struct{})}
	s.l = l
	s.serving.Add(1)
	go s.acceptLoop(l)
	s.startEvaluators()
	return l, nil
}

// Addr returns the address the server listens on, nil before Start/Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.l == nil {
		return nil
	}
	return s.l.Addr()
}

func (s *Server) acceptLoop(l *listener) {
	defer s.serving.Done()
	var delay time.Duration
	for {
		nc, err := l.tl.Accept()
		if err != nil {
			if retryable(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			l.Close() // closed, or failed for good: go-smtp's Serve returns
			return
		}
		delay = 0
		s.open(nc, l)
	}
}

// retryable reports whether an Accept error is a passing shortage (too
// many open files) rather than the listener's end.
func retryable(err error) bool {
	var te interface{ Temporary() bool }
	return !errors.Is(err, net.ErrClosed) && errors.As(err, &te) && te.Temporary()
}

// open starts serving a new TCP connection. It refuses it when its peer
// has MaxSessionsPerIP open, or when MaxSessions are open and each has
// sent a command; when one has not, the new connection takes its place.
func (s *Server) open(nc net.Conn, l *listener) {
	lim := &s.cfg.Limits
	peer := addrOf(nc.RemoteAddr())
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		srv: s, nc: nc, ctx: ctx, cancel: cancel, peer: peer,
		br:      s.lineReader(nc),
		client:  clientID{ip: peer, port: portOf(nc.RemoteAddr())},
		greetBy: time.Now().Add(lim.GreetingTimeout),
	}
	c.trusted = s.cfg.TrustsXClient(peer)
	c.limited = !contains(lim.PerIPExempt, peer)
	s.mu.Lock()
	s.nextConn++
	c.id = s.nextConn
	closed := s.closed
	perIP := c.limited && s.perIP[peer] >= lim.MaxSessionsPerIP
	full := false
	if !closed && !perIP && len(s.conns)-s.evicting >= lim.MaxSessions {
		full = !s.evictSilent()
	}
	if !closed && !perIP && !full {
		s.conns[c] = struct{}{}
		if c.limited {
			s.perIP[peer]++
		}
		s.active.Add(1)
	}
	s.mu.Unlock()
	c.emit(Event{Kind: EventConnect, Remote: nc.RemoteAddr().String(), Local: nc.LocalAddr().String(), Client: peer})
	switch {
	case closed:
		c.setReason("server shut down")
	case perIP:
		c.reply(Reply{Code: 421, Enhanced: "4.7.0", Lines: []string{fmt.Sprintf("%s Too many sessions from %s (%d), try again later", s.cfg.Hostname, peer, lim.MaxSessionsPerIP)}})
		c.setReason(fmt.Sprintf("too many sessions from %s (%d)", peer, lim.MaxSessionsPerIP))
	case full:
		c.reply(Reply{Code: 421, Enhanced: "4.3.2", Lines: []string{fmt.Sprintf("%s Too many sessions (%d), try again later", s.cfg.Hostname, lim.MaxSessions)}})
		c.setReason("too many sessions")
	default:
		if l.push(newVconn(c)) {
			return
		}
		c.setReason("server shut down")
	}
	c.finish()
}

// evictSilent gives away the place of the oldest connection that has not
// sent a command yet: its reads end at once, and go-smtp answers it
// "421 4.4.2". It reports false when every connection has sent one.
// s.mu is held.
func (s *Server) evictSilent() bool {
	for {
		var victim *conn
		for c := range s.conns {
			if c.state.Load() == connWaiting && (victim == nil || c.id < victim.id) {
				victim = c
			}
		}
		switch {
		case victim == nil:
			return false
		case victim.state.CompareAndSwap(connWaiting, connEvicted):
			victim.evicted = true
			s.evicting++
			victim.nc.SetReadDeadline(time.Unix(1, 0))
			return true
		}
		// It sent a command meanwhile: look again.
	}
}

// handOver gives go-smtp the next incarnation of a session.
func (s *Server) handOver(v *vconn) bool {
	s.mu.Lock()
	l := s.l
	s.mu.Unlock()
	return l != nil && l.push(v)
}

// release forgets a finished connection and reports whether it was
// counted in s.active.
func (s *Server) release(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.conns[c]
	if !ok {
		return false
	}
	delete(s.conns, c)
	if c.limited {
		if s.perIP[c.peer]--; s.perIP[c.peer] <= 0 {
			delete(s.perIP, c.peer)
		}
	}
	if c.evicted {
		s.evicting--
	}
	return true
}

// Shutdown stops accepting connections and waits for the open sessions to
// end; when ctx ends first it closes them and returns ctx's error. Sessions
// are not told to hurry: an idle client is waited for until its
// ReadTimeout.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.closed = true
	l := s.l
	s.mu.Unlock()
	if l != nil {
		l.Close()
	}
	s.smtp.Shutdown(ctx) // also closes l; waits for go-smtp's handlers or ctx
	done := make(chan struct{})
	go func() {
		s.active.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		s.closeAll()
		<-done
	}
	close(s.evaluatorsQuit)
	s.serving.Wait()
	return err
}

// StopAccepting closes the listener: no new connection is accepted, the
// sessions in progress go on until Shutdown or Close.
func (s *Server) StopAccepting() {
	s.mu.Lock()
	l := s.l
	s.mu.Unlock()
	if l != nil {
		l.Close()
	}
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Shutdown(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// closeAll closes every open connection; their sessions end.
func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.setReason("server shut down")
		c.cancel()
		c.nc.Close()
	}
}

func addrOf(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		return ip.Unmap()
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

func portOf(a net.Addr) int {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.Port
	}
	return 0
}
