package smtpsim

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"spflab/spf"
)

// The front: go-smtp reads commands from a net.Conn that the server hands
// it through its Listener, and has no hook for commands of its own. So each
// TCP connection is owned by a conn, and go-smtp gets a vconn: a virtual
// connection over it, one per incarnation of the session. The vconn's Read
// and Write run on go-smtp's goroutine; they
//
//   - give go-smtp at most one line per Read, so that each command is seen
//     here when go-smtp asks for it, and never buffered past;
//   - record every client line and every reply as events;
//   - take XCLIENT away from go-smtp: refused with a reply written here,
//     or accepted by returning io.EOF, which ends the incarnation; its
//     Close then hands a new vconn, with the new client address as
//     RemoteAddr, to go-smtp through the Listener, and go-smtp greets it
//     with a new 220 (Postfix's XCLIENT semantics);
//   - add XCLIENT to the EHLO reply for a trusted client;
//   - word go-smtp's replies as the server's Personality does (go-smtp's
//     texts are fixed): each reply is parsed, known by the command it
//     answers and its code, and its text and enhanced code replaced; what
//     the words need comes from the session's own events (the client's
//     name from EventHELO, the policy's refusals from EventPolicy, the
//     message's ID from EventStored);
//   - refuse a command holding a bare CR or another control character,
//     which go-smtp would echo into its reply (RFC 5321 §2.3.8);
//   - hold a connection that has sent no command yet to GreetingTimeout,
//     by shortening the read deadlines go-smtp sets;
//   - follow the message after a 354 reply (with go-smtp's own end-of-data
//     rule) and the chunk after BDAT, so a line in a message is never
//     taken for a command; past MessageLineEvents lines of a message,
//     count the lines instead of reporting each.

// conn is one TCP connection and what outlives go-smtp's incarnations of
// its session.
type conn struct {
	srv     *Server
	id      uint64
	nc      net.Conn
	br      *bufio.Reader // nil once given back to the server's pool
	rmu     sync.Mutex    // held while reading from br
	peer    netip.Addr    // the real peer, whatever XCLIENT says
	trusted bool          // the real peer may use XCLIENT
	ctx     context.Context
	cancel  context.CancelFunc

	// state is connWaiting until the first command, then connCommanded;
	// connEvicted when the server took its place for a new connection.
	state   atomic.Int32
	greetBy time.Time // the deadline of the first command
	// Guarded by srv.mu.
	limited bool // counted in srv.perIP
	evicted bool // counted in srv.evicting

	emu   sync.Mutex // orders events; guards seq, cmd, line, cause, reason
	seq   int
	cmd   string // the verb of the command being served
	line  string // its whole line
	cause int    // the Seq of its line

	reason    string // why the connection closes, once known
	lastReply *Reply // the last reply sent

	// Front state, used only by the goroutine of the current incarnation.
	pending       []byte // the rest of the line go-smtp is reading
	midLine       bool   // pending is part of a longer line
	inData        bool   // between 354 and the end of the message
	dataState     int    // go-smtp's end-of-data state machine
	bdatLeft      int64  // bytes of a BDAT chunk still to pass through
	out           []byte // reply bytes from go-smtp not yet a whole reply
	wbuf          []byte // the wire form of a reply the front words or writes
	inTransaction bool   // between MAIL and the end of the transaction
	hungUp        bool   // the front ended the dialogue: go-smtp gets no more
	client        clientID
	msgLines      int     // lines of the message so far
	omitting      bool    // the current line of the message is counted, not reported
	omitted       Omitted // lines counted and not reported yet
	heard         heard   // what the session reported, for wording replies

	finished sync.Once
}

// The states of a connection.
const (
	connWaiting   int32 = iota // no command yet
	connCommanded              // it sent a command
	connEvicted                // its place was given to a new connection
)

// clientID is who the server believes the client is.
type clientID struct {
	ip        netip.Addr
	port      int
	name      string // the XCLIENT NAME
	nameGiven bool
}

// heard is what the session of the current incarnation reported that the
// wording of its replies needs.
type heard struct {
	client      clientName
	queued      uint64 // the ID of the message stored last
	heloRefusal *Reply // the refusal of the HELO identity's decision
	mailRefusal *Reply // the refusal of the MAIL FROM identity's decision
}

// note keeps what e tells the wording of replies. The session's events
// come on the goroutine that writes its replies.
func (c *conn) note(e *Event) {
	h := &c.heard
	switch {
	case e.Kind == EventHELO:
		h.client = clientName{ip: e.HELO.IP, confirmed: e.HELO.Name, ptr: e.HELO.PTR}
	case e.Kind == EventStored:
		h.queued = e.Stored.ID
	case e.Kind == EventPolicy && e.Policy.Outcome.Identity == spf.IdentityHELO:
		h.heloRefusal = e.Policy.Reply
	case e.Kind == EventPolicy:
		h.mailRefusal = e.Policy.Reply
	}
}

// word returns a reply of go-smtp's in the words of the server's
// personality, and whether they differ.
func (c *conn) word(r Reply) (Reply, bool) {
	cfg := &c.srv.cfg
	if cfg.Personality == PersonalityGoSMTP {
		return r, false
	}
	c.emu.Lock()
	x := exchange{verb: c.cmd, line: c.line, host: cfg.Hostname, client: c.heard.client, queued: c.heard.queued}
	c.emu.Unlock()
	for _, ref := range []*Reply{c.heard.heloRefusal, c.heard.mailRefusal} {
		if ref != nil {
			x.refusals = append(x.refusals, *ref)
		}
	}
	return cfg.Personality.word(x, r)
}

// command records a client line as the command being served and reports
// it.
func (c *conn) command(line string, unterminated bool) {
	verb := line
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		verb = line[:i]
	}
	if len(verb) > 16 {
		verb = verb[:16]
	}
	c.emu.Lock()
	c.seq++
	c.cmd, c.line, c.cause = strings.ToUpper(verb), line, c.seq
	if onEvent := c.srv.cfg.OnEvent; onEvent != nil {
		onEvent(Event{Session: c.id, Seq: c.seq, Time: c.srv.cfg.Clock(), Kind: EventClientLine,
			Line: line, Unterminated: unterminated, Command: c.cmd, Cause: c.cause})
	}
	c.emu.Unlock()
}

// emit delivers an event attributed to the command being served, stamped
// with the session, its place in the stream and the time. The event is
// passed by value down to OnEvent, which takes it so: each copy on the
// way is stack a session's goroutine may have to grow for.
func (c *conn) emit(e Event) {
	c.note(&e)
	onEvent := c.srv.cfg.OnEvent
	if onEvent == nil {
		return
	}
	c.emu.Lock()
	c.seq++
	e.Session, e.Seq, e.Time, e.Command, e.Cause = c.id, c.seq, c.srv.cfg.Clock(), c.cmd, c.cause
	onEvent(e)
	c.emu.Unlock()
}

func (c *conn) currentCommand() string {
	c.emu.Lock()
	defer c.emu.Unlock()
	return c.cmd
}

// setReason records why the connection ends; the first reason stays.
func (c *conn) setReason(r string) {
	c.emu.Lock()
	if c.reason == "" {
		c.reason = r
	}
	c.emu.Unlock()
}

// finish closes the connection for good and reports it.
func (c *conn) finish() {
	c.finished.Do(func() {
		c.nc.Close()
		c.cancel()
		// The reader goes back to the pool unless a Read is using it: one
		// on go-smtp's goroutine when go-smtp's Close comes from another,
		// or one this finish is called from (by an OnEvent closing the
		// server). That Read ends now that the connection is closed, and
		// its reader is left to the garbage collector.
		if c.rmu.TryLock() {
			c.srv.putLineReader(c.br)
			c.br = nil
			c.rmu.Unlock()
		}
		c.emu.Lock()
		reason := c.reason
		switch {
		case reason != "":
		case c.cmd == "QUIT":
			reason = "QUIT"
		case c.lastReply != nil:
			reason = "closed by the server after " + strconv.Quote(c.lastReply.String())
		default:
			reason = "closed by the server"
		}
		c.emu.Unlock()
		counted := c.srv.release(c) // frees the place before the event: a client that saw it may reconnect
		c.emit(Event{Kind: EventClose, Reason: reason})
		if counted {
			c.srv.active.Done() // after the last event: Shutdown returns after it
		}
	})
}

// hangUp sends a last reply and ends the dialogue: go-smtp reads nothing
// more and what it writes is dropped, so the client gets this reply only.
func (c *conn) hangUp(r Reply, reason string) {
	c.reply(r)
	c.setReason(reason)
	c.hungUp = true
}

// reply writes a reply of the front's own and records it.
func (c *conn) reply(r Reply) error {
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.cfg.Limits.WriteTimeout))
	c.wbuf = r.appendWire(c.wbuf[:0])
	return c.send(c.wbuf, &r)
}

// send writes a reply's bytes to the client and records the reply, which
// is not changed after. The write deadline is set: by go-smtp for its
// replies, by reply for the front's.
func (c *conn) send(wire []byte, r *Reply) error {
	_, err := c.nc.Write(wire)
	c.emu.Lock()
	c.lastReply = r
	c.emu.Unlock()
	c.emit(Event{Kind: EventReply, Reply: r})
	return err
}

// vconn is the net.Conn go-smtp serves: one incarnation of a session.
type vconn struct {
	c      *conn
	remote net.TCPAddr
	ip     [16]byte // remote.IP's bytes

	mu      sync.Mutex
	closed  bool
	restart *clientID // set when XCLIENT was accepted
}

func (v *vconn) isClosed() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.closed
}

// Read gives go-smtp the client's bytes, at most one line at a time.
func (v *vconn) Read(p []byte) (int, error) {
	c := v.c
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		v.mu.Lock()
		closed, restarting := v.closed, v.restart != nil
		v.mu.Unlock()
		if closed || c.hungUp || c.br == nil {
			c.flushOmitted()
			return 0, net.ErrClosed
		}
		if len(c.pending) > 0 {
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		}
		if c.bdatLeft > 0 {
			if int64(len(p)) > c.bdatLeft {
				p = p[:c.bdatLeft]
			}
			n, err := c.br.Read(p)
			c.bdatLeft -= int64(n)
			if n > 0 {
				return n, nil
			}
			return 0, c.readError(err)
		}
		if restarting {
			return 0, io.EOF
		}
		line, err := c.br.ReadSlice('\n')
		switch {
		case err == nil || errors.Is(err, bufio.ErrBufferFull):
			start := !c.midLine
			c.midLine = err != nil
			if c.inData {
				c.followData(line)
				c.dataLine(line, start, c.midLine)
			} else if start && c.takeCommand(v, line, c.midLine) {
				// The front answered it: the next command gets its own
				// ReadTimeout, as go-smtp would give it.
				c.nc.SetReadDeadline(c.readDeadline(time.Now().Add(c.srv.cfg.Limits.ReadTimeout)))
				continue
			}
			c.pending = line
		default:
			switch {
			case c.inData:
				if len(line) > 0 {
					c.dataLine(line, !c.midLine, true)
				}
				c.flushOmitted() // the message ends here
			case len(line) > 0 && !c.midLine:
				c.command(string(line), true)
			}
			return 0, c.readError(err)
		}
	}
}

// readError notes why reading from the client failed and returns what
// go-smtp should see.
func (c *conn) readError(err error) error {
	var ne net.Error
	switch {
	case err == nil:
		return io.ErrNoProgress
	case errors.Is(err, io.EOF):
		c.setReason("the client closed the connection")
	case errors.Is(err, syscall.ECONNRESET):
		c.setReason("the client reset the connection")
		return io.EOF // gone like any client that leaves: go-smtp ends quietly
	case errors.As(err, &ne) && ne.Timeout():
		lim := &c.srv.cfg.Limits
		switch state := c.state.Load(); {
		case state == connEvicted:
			c.setReason(c.evictedReason())
		case state == connWaiting && !time.Now().Before(c.greetBy):
			c.setReason("greeting timeout: the client sent no command for " + lim.GreetingTimeout.String())
		default:
			c.setReason("read timeout: the client sent nothing for " + lim.ReadTimeout.String())
		}
	case errors.Is(err, net.ErrClosed):
		c.setReason("closed")
	default:
		c.setReason(err.Error())
	}
	return err
}

// evictedReason is why a connection whose place was given away closes.
func (c *conn) evictedReason() string {
	return fmt.Sprintf("dropped to make room: no command yet while all %d sessions were taken", c.srv.cfg.Limits.MaxSessions)
}

// takeCommand looks at a command line (not part of a message) before
// go-smtp does. It returns true when the front handled the line itself.
func (c *conn) takeCommand(v *vconn, line []byte, partial bool) bool {
	text := trimEOL(line)
	first := c.state.CompareAndSwap(connWaiting, connCommanded)
	c.command(text, partial)
	if !first && c.state.Load() == connEvicted {
		// It came as the server gave its place away.
		c.hangUp(Reply{Code: 421, Enhanced: "4.4.2", Lines: []string{c.srv.cfg.Hostname + " Too slow: your place went to another client, try again later"}}, c.evictedReason())
		return true
	}
	if partial {
		return false // too long: go-smtp refuses it
	}
	if r, ok := controlRefusal(text); !ok {
		c.reply(r)
		return true
	}
	verb, args, _ := strings.Cut(text, " ")
	switch strings.ToUpper(verb) {
	case "XCLIENT":
		c.xclient(v, args)
		return true
	case "BDAT":
		c.bdatLeft = bdatChunk(text)
	}
	return false
}

// controlRefusal checks a command line for a control character, which
// go-smtp would echo into its reply (a bare CR would split the reply's
// line for the client) and which no command's syntax allows (RFC 5321
// §4.1.2). It returns false with the refusal, which names the character
// without echoing it.
func controlRefusal(line string) (Reply, bool) {
	for i := 0; i < len(line); i++ {
		switch ch := line[i]; {
		case ch == '\r':
			return Reply{Code: 501, Enhanced: "5.5.2", Lines: []string{fmt.Sprintf("Syntax error: bare CR at byte %d of the command (RFC 5321 §2.3.8: CR only before the LF that ends the line)", i+1)}}, false
		case ch < ' ' && ch != '\t' || ch == 0x7f:
			return Reply{Code: 501, Enhanced: "5.5.2", Lines: []string{fmt.Sprintf("Syntax error: control character %#02x at byte %d of the command (RFC 5321 §4.1.2)", ch, i+1)}}, false
		}
	}
	return Reply{}, true
}

// bdatChunk returns the size of the chunk that follows a BDAT command, by
// go-smtp's rules: the chunk is read exactly when the arguments parse.
func bdatChunk(line string) int64 {
	line = strings.TrimRight(line, "\r\n")
	if len(line) < 6 || line[4] != ' ' {
		return 0
	}
	args := strings.Fields(line[5:])
	if len(args) == 0 || len(args) > 2 || (len(args) == 2 && !strings.EqualFold(args[1], "LAST")) {
		return 0
	}
	n, err := strconv.ParseUint(args[0], 10, 32)
	if err != nil {
		return 0
	}
	return int64(n)
}

// The states of go-smtp's end-of-data machine (its dataReader): the
// message ends at CRLF "." CRLF, a bare LF does not begin a line.
const (
	dataBeginLine = iota
	dataDot
	dataDotCR
	dataCR
	dataText
)

// followData runs go-smtp's end-of-data rule over bytes of the message.
func (c *conn) followData(b []byte) {
	for _, ch := range b {
		switch c.dataState {
		case dataBeginLine:
			switch ch {
			case '.':
				c.dataState = dataDot
			case '\r':
				c.dataState = dataCR
			default:
				c.dataState = dataText
			}
		case dataDot:
			c.dataState = dataText
			if ch == '\r' {
				c.dataState = dataDotCR
			}
		case dataDotCR:
			c.dataState = dataText
			if ch == '\n' {
				c.inData = false
				return
			}
		case dataCR:
			c.dataState = dataText
			if ch == '\n' {
				c.dataState = dataBeginLine
			}
		case dataText:
			if ch == '\r' {
				c.dataState = dataCR
			}
		}
	}
}

// dataLine reports a line of the message (start false: the next part of
// a line too long for one read), after followData has seen it. Past
// MessageLineEvents lines the lines are counted instead, and reported
// together before the final ".".
func (c *conn) dataLine(b []byte, start, unterminated bool) {
	ended := !c.inData
	if start {
		c.msgLines++
		limit := c.srv.cfg.Limits.MessageLineEvents
		c.omitting = limit > 0 && c.msgLines > limit && !ended
	}
	if c.omitting {
		if start {
			c.omitted.Lines++
		}
		c.omitted.Bytes += int64(len(b))
		return
	}
	if ended {
		c.flushOmitted()
		c.msgLines = 0
	}
	if start {
		c.emit(Event{Kind: EventClientLine, Line: trimEOL(b), InData: true, Unterminated: unterminated})
	}
}

// flushOmitted reports the lines of the message counted so far, if any.
func (c *conn) flushOmitted() {
	if c.omitted.Lines == 0 && c.omitted.Bytes == 0 {
		return
	}
	o := c.omitted
	c.omitted = Omitted{}
	c.emit(Event{Kind: EventOmitted, Omitted: &o})
}

// xclient serves XCLIENT: refused with a reply, or accepted by ending this
// incarnation (Read returns io.EOF next) to start the next.
func (c *conn) xclient(v *vconn, args string) {
	var refuse *XClientError
	x, err := ParseXClient(args)
	switch {
	case !c.trusted:
		refuse = xclientError(550, "5.7.0", "Error: insufficient authorization")
	case c.inTransaction:
		refuse = xclientError(503, "5.5.1", "Error: MAIL transaction in progress")
	case err != nil:
		refuse = err.(*XClientError)
	}
	next := c.client
	if refuse == nil && x.Addr != "" {
		ip, _ := x.addr()
		if !ip.IsValid() {
			refuse = xclientError(501, "5.5.4", "Bad XCLIENT ADDR: [UNAVAILABLE] is not supported here, the lab needs a client address")
		}
		next.ip, next.port = ip, 0
	}
	if refuse != nil {
		c.reply(refuse.Reply)
		return
	}
	if x.Port != "" {
		next.port, _ = x.port()
	}
	if x.Name != "" {
		next.name, next.nameGiven = x.Name, true
	} else if x.Addr != "" {
		next.name, next.nameGiven = "", false // a new address: look its name up
	}
	c.emit(Event{Kind: EventXClient, XClient: &x, Client: next.ip, Remote: c.nc.RemoteAddr().String()})
	v.mu.Lock()
	v.restart = &next
	v.mu.Unlock()
}

// Write takes go-smtp's reply bytes; each complete reply is worded by the
// personality, recorded and sent on, the EHLO reply with XCLIENT added for
// a trusted client.
func (v *vconn) Write(p []byte) (int, error) {
	if v.isClosed() {
		return 0, net.ErrClosed
	}
	c := v.c
	if c.hungUp {
		return len(p), nil
	}
	// Whole replies are taken from p as go-smtp wrote them; only a part
	// of a reply (go-smtp flushes each line of a multiline one) waits in
	// c.out for the rest.
	buf := p
	if len(c.out) > 0 {
		c.out = append(c.out, p...)
		buf = c.out
	}
	for {
		end := replyEnd(buf)
		if end < 0 {
			break
		}
		wire := buf[:end]
		buf = buf[end:]
		box := new(replyBox)
		r, err := parseReply(string(wire), box.line[:0])
		switch {
		case err != nil:
			box.line[0] = strings.TrimRight(string(wire), "\r\n")
			r = Reply{Lines: box.line[:]}
		default:
			var changed bool
			r, changed = c.word(r)
			if r.Code == 250 && len(r.Lines) > 1 && c.trusted && c.currentCommand() == "EHLO" {
				lines := make([]string, 0, len(r.Lines)+1)
				lines = append(append(append(lines, r.Lines[0]), "XCLIENT "+xclientAttrs), r.Lines[1:]...)
				r.Lines, changed = lines, true
			}
			if changed {
				c.wbuf = r.appendWire(c.wbuf[:0])
				wire = c.wbuf
			}
		}
		if r.Code == 354 {
			c.inData, c.dataState, c.msgLines, c.omitting = true, dataBeginLine, 0, false
		}
		box.Reply = r
		if err := c.send(wire, &box.Reply); err != nil {
			c.out = append(c.out[:0], buf...)
			return 0, err
		}
	}
	if len(c.out) > 0 {
		c.out = c.out[:copy(c.out, buf)]
	} else {
		c.out = append(c.out, buf...)
	}
	return len(p), nil
}

// replyEnd returns the length of the first complete reply in b (through
// the line ending of its final line: code and space), or -1.
func replyEnd(b []byte) int {
	start := 0
	for {
		i := bytes.IndexByte(b[start:], '\n')
		if i < 0 {
			return -1
		}
		line := b[start : start+i+1]
		start += i + 1
		if len(line) < 4 || line[3] != '-' {
			return start
		}
	}
}

// Close ends the incarnation. After an accepted XCLIENT the next one starts
// on the same TCP connection; otherwise the connection closes.
func (v *vconn) Close() error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	next := v.restart
	v.mu.Unlock()
	c := v.c
	if next != nil {
		c.client = *next
		c.pending, c.midLine, c.inData, c.bdatLeft, c.out, c.inTransaction = nil, false, false, 0, c.out[:0], false
		c.heard = heard{}
		if c.srv.handOver(newVconn(c)) {
			return nil
		}
		c.setReason("server shut down")
	}
	c.finish()
	return nil
}

func newVconn(c *conn) *vconn {
	v := &vconn{c: c}
	v.remote.Port = c.client.port
	switch ip := c.client.ip; {
	case ip.Is4():
		a := ip.As4()
		v.remote.IP = v.ip[:copy(v.ip[:], a[:]):4]
	case ip.IsValid():
		a := ip.As16()
		v.remote.IP = v.ip[:copy(v.ip[:], a[:]):16]
	}
	return v
}

func (v *vconn) LocalAddr() net.Addr  { return v.c.nc.LocalAddr() }
func (v *vconn) RemoteAddr() net.Addr { return &v.remote }

// SetDeadline and SetReadDeadline hold a connection that has sent no
// command yet to its greeting deadline.
func (v *vconn) SetDeadline(t time.Time) error {
	return errors.Join(v.c.nc.SetWriteDeadline(t), v.c.nc.SetReadDeadline(v.c.readDeadline(t)))
}
func (v *vconn) SetReadDeadline(t time.Time) error {
	return v.c.nc.SetReadDeadline(v.c.readDeadline(t))
}
func (v *vconn) SetWriteDeadline(t time.Time) error { return v.c.nc.SetWriteDeadline(t) }

// readDeadline is the read deadline to set for t: no later than the
// greeting deadline before the first command, at once for a connection
// whose place was given away.
func (c *conn) readDeadline(t time.Time) time.Time {
	switch c.state.Load() {
	case connEvicted:
		return time.Unix(1, 0)
	case connWaiting:
		if t.IsZero() || t.After(c.greetBy) {
			return c.greetBy
		}
	}
	return t
}

// listener is the net.Listener go-smtp serves: it hands over the vconn of
// each new TCP connection and of each session restarted by XCLIENT.
type listener struct {
	tl   net.Listener
	ch   chan *vconn
	done chan struct{}
	once sync.Once
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case v := <-l.ch:
		return v, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *listener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.tl.Close()
	})
	return err
}

func (l *listener) Addr() net.Addr { return l.tl.Addr() }

// push hands v to go-smtp; false when the listener is closed.
func (l *listener) push(v *vconn) bool {
	select {
	case <-l.done:
		return false
	default:
	}
	select {
	case l.ch <- v:
		return true
	case <-l.done:
		return false
	}
}

// trimEOL returns a line without its line ending (CRLF or LF).
func trimEOL(b []byte) string {
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	return string(b)
}

// lineReader returns a reader of the client's bytes on nc for the front,
// from the server's pool: big enough that every line go-smtp accepts fits,
// so a line that does not fit is one go-smtp refuses anyway.
func (s *Server) lineReader(nc net.Conn) *bufio.Reader {
	if br, ok := s.readers.Get().(*bufio.Reader); ok {
		br.Reset(nc)
		return br
	}
	return bufio.NewReaderSize(nc, max(4096, s.cfg.Limits.MaxLineLength+16))
}

// putLineReader gives a connection's reader back to the pool.
func (s *Server) putLineReader(br *bufio.Reader) {
	if br != nil {
		br.Reset(nil)
		s.readers.Put(br)
	}
}
