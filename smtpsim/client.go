package smtpsim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// DefaultClientTimeout bounds one exchange of a Client.
const DefaultClientTimeout = 30 * time.Second

// Client is the scripted client: it sends lines exactly as a lesson writes
// them — "MAIL From:honeypot@euston.net" without brackets, malformed and
// lying commands too — over real TCP, and reads complete, possibly
// multi-line, replies.
type Client struct {
	// Greeting is the server's 220 (or refusal) read by Dial.
	Greeting Reply
	// Timeout bounds each exchange; zero means DefaultClientTimeout.
	Timeout time.Duration

	conn net.Conn
	br   *bufio.Reader
}

// Dial connects to an SMTP server and reads its greeting. A greeting that
// is not 220 is no error: it is in Greeting.
func Dial(ctx context.Context, addr string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtpsim: dial %s: %w", addr, err)
	}
	c := &Client{conn: conn, br: bufio.NewReaderSize(conn, maxReplyLineSize+2)}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetReadDeadline(dl)
	} else {
		conn.SetReadDeadline(time.Now().Add(DefaultClientTimeout))
	}
	c.Greeting, err = readReply(c.br)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("smtpsim: greeting of %s: %w", addr, err)
	}
	return c, nil
}

// LocalAddr is the client's end of the connection: the Remote of the
// server's EventConnect for this session (see Recorder.Wait).
func (c *Client) LocalAddr() string { return c.conn.LocalAddr().String() }

func (c *Client) deadline() time.Time {
	t := c.Timeout
	if t <= 0 {
		t = DefaultClientTimeout
	}
	return time.Now().Add(t)
}

// Send sends line and CRLF, and reads the reply. The line must not hold a
// line break (WriteRaw sends anything).
func (c *Client) Send(line string) (Reply, error) {
	if strings.ContainsAny(line, "\r\n") {
		return Reply{}, fmt.Errorf("smtpsim: send %q: a line break inside the line (use WriteRaw)", line)
	}
	if err := c.WriteRaw([]byte(line + "\r\n")); err != nil {
		return Reply{}, fmt.Errorf("smtpsim: send %q: %w", line, err)
	}
	r, err := c.ReadReply()
	if err != nil {
		return Reply{}, fmt.Errorf("smtpsim: reply to %q: %w", line, err)
	}
	return r, nil
}

// WriteRaw sends bytes as they are: garbage, a line without its CRLF,
// several commands at once (PIPELINING, RFC 2920).
func (c *Client) WriteRaw(b []byte) error {
	c.conn.SetWriteDeadline(c.deadline())
	_, err := c.conn.Write(b)
	return err
}

// ReadReply reads one complete reply.
func (c *Client) ReadReply() (Reply, error) {
	c.conn.SetReadDeadline(c.deadline())
	return readReply(c.br)
}

// XClient sends XCLIENT with the given attributes (those not "" — addr is
// an IPv4 or IPv6 address, name the client's host name, helo its HELO
// name) and reads the reply: a new 220 greeting when the server accepts.
func (c *Client) XClient(addr, name, helo string) (Reply, error) {
	return c.Send(XClient{Addr: addr, Name: name, HELO: helo}.Command())
}

// SendBody sends a message after DATA's 354 reply: line endings become
// CRLF, lines beginning with "." are dot-stuffed (RFC 5321 §4.5.2), and
// "." ends the message. It returns the reply to the message.
func (c *Client) SendBody(body string) (Reply, error) {
	var b strings.Builder
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.TrimSuffix(body, "\n")
	if body != "" {
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, ".") {
				b.WriteByte('.')
			}
			b.WriteString(l)
			b.WriteString("\r\n")
		}
	}
	b.WriteString(".\r\n")
	if err := c.WriteRaw([]byte(b.String())); err != nil {
		return Reply{}, fmt.Errorf("smtpsim: sending the message: %w", err)
	}
	r, err := c.ReadReply()
	if err != nil {
		return Reply{}, fmt.Errorf("smtpsim: reply to the message: %w", err)
	}
	return r, nil
}

// Close closes the connection without QUIT.
func (c *Client) Close() error {
	err := c.conn.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
