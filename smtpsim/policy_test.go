package smtpsim

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"

	"spflab/spf"
)

// A policy case: who the client claims to be and what the server answers.
type policyCase struct {
	name      string
	cfg       func(*Config)
	addr      string // XCLIENT ADDR
	xname     string // XCLIENT NAME, "" to let the server look it up
	helo      string
	from      string // MAIL FROM address, without brackets; "" the null sender
	mail      want
	rcpt      want // checked when MAIL got 250
	fields    []string
	notFields []string // field prefixes that must be absent
}

const okMail = 250

var (
	ok       = want{code: 250}
	seedFail = want{550, "5.7.23", "SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net"}
)

var policyCases = []policyCase{
	{
		name: "pass", addr: "192.0.2.25", helo: "mail.euston.net", from: "honeypot@euston.net",
		mail: ok, rcpt: ok,
		fields: []string{
			"Authentication-Results: mail.example.com; spf=pass",
			"smtp.mailfrom=euston.net",
			"Received-SPF: pass (mail.example.com: domain of honeypot@euston.net designates 192.0.2.25 as permitted sender)",
			"Received: from mail.euston.net (mail.euston.net [192.0.2.25]) by mail.example.com (spflab) with SMTP id ",
			"for <user@example.com>",
		},
	},
	{
		name: "fail, the seed's 550 after RCPT", addr: "192.0.2.80", helo: "mail.euston.net", from: "honeypot@euston.net",
		mail: ok, rcpt: seedFail,
	},
	{
		name: "fail with exp= explanation", addr: "192.0.2.80", helo: "www.euston.net", from: "x@explained.example",
		mail: ok, rcpt: want{550, "5.7.23", "192.0.2.80 may not send mail for explained.example"},
	},
	{
		name: "softfail accepted with header", addr: "192.0.2.80", helo: "www.euston.net", from: "x@soft.example",
		mail: ok, rcpt: ok, fields: []string{"Received-SPF: softfail", "spf=softfail"},
	},
	{
		name: "neutral accepted with header", addr: "192.0.2.80", helo: "www.euston.net", from: "x@neutral.example",
		mail: ok, rcpt: ok, fields: []string{"Received-SPF: neutral"},
	},
	{
		name: "none accepted with header", addr: "192.0.2.80", helo: "www.euston.net", from: "x@plain.example",
		mail: ok, rcpt: ok, fields: []string{"Received-SPF: none", "Received: from www.euston.net (www.euston.net [192.0.2.80])"},
	},
	{
		name: "permerror", addr: "192.0.2.80", helo: "www.euston.net", from: "x@broken.example",
		mail: ok, rcpt: want{550, "5.7.24", "SPF test returned permerror for 192.0.2.80: "},
	},
	{
		name: "temperror", addr: "192.0.2.80", helo: "www.euston.net", from: "x@flaky.example",
		mail: ok, rcpt: want{451, "4.4.3", "SPF test returned temperror for 192.0.2.80: "},
	},
	{
		name: "sender domain does not exist", addr: "192.0.2.80", helo: "mail.euston.net", from: "buddy@your.friend",
		mail: want{553, "5.1.8", "buddy@your.friend... Domain of sender address buddy@your.friend does not exist"},
	},
	{
		name: "unknown sender domain allowed", cfg: func(c *Config) { c.AllowUnknownSenderDomain = true },
		addr: "192.0.2.80", helo: "mail.euston.net", from: "buddy@your.friend",
		mail: ok, rcpt: ok, fields: []string{"Received-SPF: none"},
	},
	{
		name: "checked at MAIL", cfg: func(c *Config) { c.CheckAt = CheckAtMAIL },
		addr: "192.0.2.80", helo: "mail.euston.net", from: "honeypot@euston.net",
		mail: seedFail,
	},
	{
		name: "softfail tempfailed by a custom rule",
		cfg: func(c *Config) {
			c.Policy = Policy{spf.Softfail: {Action: ActionTempFail, Code: 450, Enhanced: "4.7.1", Text: "greylisted: {result} for {sender} from {ip}"}}
		},
		addr: "192.0.2.80", helo: "www.euston.net", from: "x@soft.example",
		mail: ok, rcpt: want{450, "4.7.1", "greylisted: softfail for x@soft.example from 192.0.2.80"},
	},
	{
		name: "neutral rejected with default code and text", cfg: func(c *Config) { c.Policy = Policy{spf.Neutral: {Action: ActionReject}} },
		addr: "192.0.2.80", helo: "www.euston.net", from: "x@neutral.example",
		mail: ok, rcpt: want{550, "5.7.1", "SPF test returned neutral for 192.0.2.80: ip=192.0.2.80 sender=x@neutral.example helo=www.euston.net"},
	},
	{
		name: "none accepted without header", cfg: func(c *Config) { c.Policy = Policy{spf.None: {Action: ActionAccept}} },
		addr: "192.0.2.80", helo: "www.euston.net", from: "x@plain.example",
		mail: ok, rcpt: ok, fields: []string{"Received: from www.euston.net"}, notFields: []string{"Received-SPF:", "Authentication-Results:"},
	},
	{
		name: "fail only marked", cfg: func(c *Config) { c.Policy = Policy{spf.Fail: {Action: ActionHeader}} },
		addr: "192.0.2.80", helo: "mail.euston.net", from: "honeypot@euston.net",
		mail: ok, rcpt: ok, fields: []string{"Received-SPF: fail", "spf=fail"},
	},
	{
		name: "HELO identity fails first", cfg: func(c *Config) { c.CheckHELO = true },
		addr: "192.0.2.80", helo: "mail.euston.net", from: "x@plain.example",
		mail: ok, rcpt: want{550, "5.7.23", "sender=postmaster@mail.euston.net helo=mail.euston.net"},
	},
	{
		name: "HELO identity passes and is recorded", cfg: func(c *Config) { c.CheckHELO = true },
		addr: "192.0.2.25", helo: "mail.euston.net", from: "x@plain.example",
		mail: ok, rcpt: ok, fields: []string{"spf=none", "smtp.helo=mail.euston.net", "Received-SPF: none", "Received-SPF: pass", "identity=helo"},
	},
	{
		name: "null sender checks the HELO identity", addr: "192.0.2.80", helo: "mail.euston.net", from: "",
		mail: ok, rcpt: want{550, "5.7.23", "sender=postmaster@mail.euston.net helo=mail.euston.net"},
	},
	{
		name: "XCLIENT NAME replaces the reverse lookup", addr: "192.0.2.25", xname: "relay.example.org", helo: "mail.euston.net", from: "honeypot@euston.net",
		mail: ok, rcpt: ok, fields: []string{"Received: from mail.euston.net (relay.example.org [192.0.2.25])"},
	},
	{
		name: "IPv6 pass", addr: "2001:db8::25", helo: "six.example", from: "x@six.example",
		mail: ok, rcpt: ok, fields: []string{"Received-SPF: pass", "Received: from six.example (unknown [IPv6:2001:db8::25])"},
	},
}

func (pc policyCase) config() Config {
	var cfg Config
	if pc.cfg != nil {
		pc.cfg(&cfg)
	}
	return cfg
}

// TestPolicyScripted drives every policy branch with the scripted client.
func TestPolicyScripted(t *testing.T) {
	for _, pc := range policyCases {
		t.Run(pc.name, func(t *testing.T) {
			srv, rec := startServer(t, pc.config())
			c := dial(t, srv)
			want{220, "", "mail.example.com ESMTP"}.check(t, "greeting", c.Greeting)
			r := send(t, c, "EHLO lab.client", ok)
			if !strings.Contains(r.Text(), "XCLIENT NAME ADDR PORT PROTO HELO") {
				t.Fatalf("EHLO reply does not advertise XCLIENT: %q", r)
			}
			r, err := c.XClient(pc.addr, pc.xname, "")
			if err != nil {
				t.Fatal(err)
			}
			want{220, "", "mail.example.com"}.check(t, "XCLIENT", r)
			send(t, c, "HELO "+pc.helo, ok)
			stored := false
			if send(t, c, "MAIL From:<"+pc.from+">", pc.mail); pc.mail.code == okMail {
				if send(t, c, "RCPT To:user@example.com", pc.rcpt); pc.rcpt.code == okMail {
					send(t, c, "DATA", want{code: 354})
					r, err := c.SendBody("Subject: lab\n\nhello\n")
					if err != nil {
						t.Fatal(err)
					}
					ok.check(t, "message", r)
					stored = true
				}
			}
			send(t, c, "QUIT", want{code: 221})
			evs := waitEvents(t, rec, c)
			st := find(evs, EventStored)
			if stored != (len(st) == 1) {
				t.Fatalf("stored %d messages, want %v", len(st), stored)
			}
			if !stored {
				if srv.Mailbox().Len() != 0 {
					t.Fatal("a refused message is in the mailbox")
				}
				return
			}
			m, found := srv.Mailbox().Get(st[0].Stored.ID)
			if !found {
				t.Fatalf("message %d not in the mailbox", st[0].Stored.ID)
			}
			checkMessage(t, m, pc)
			added := find(evs, EventHeader)
			if len(added) != len(m.Fields) {
				t.Fatalf("%d header events for %d fields", len(added), len(m.Fields))
			}
		})
	}
}

// checkMessage checks the stored message of a case.
func checkMessage(t *testing.T, m Message, pc policyCase) {
	t.Helper()
	var all []string
	for _, f := range m.Fields {
		all = append(all, f.Name+": "+f.Value)
	}
	text := strings.Join(all, "\n")
	for _, f := range pc.fields {
		if !strings.Contains(text, f) {
			t.Errorf("fields lack %q:\n%s", f, text)
		}
	}
	for _, f := range pc.notFields {
		if strings.Contains(text, f) {
			t.Errorf("fields have %q:\n%s", f, text)
		}
	}
	h, err := m.Header()
	if err != nil {
		t.Fatalf("stored message does not parse: %v\n%s", err, m.Data)
	}
	if h.Get("Subject") != "lab" || len(h["Received"]) != 1 {
		t.Errorf("header of the stored message: %v", h)
	}
	if m.MailFrom != pc.from || m.HELO != pc.helo || m.ClientIP.String() != pc.addr || len(m.Recipients) != 1 {
		t.Errorf("envelope: from %q helo %q ip %s rcpts %v", m.MailFrom, m.HELO, m.ClientIP, m.Recipients)
	}
	if !strings.HasSuffix(string(m.Data), "\r\n\r\nhello\r\n") {
		t.Errorf("body not stored as sent: %q", m.Data)
	}
}

// TestPolicyNetSMTP drives the same branches with Go's net/smtp as an
// independent client (XCLIENT and the HELO after it through its
// textproto.Conn, since net/smtp knows neither).
func TestPolicyNetSMTP(t *testing.T) {
	for _, pc := range policyCases {
		t.Run(pc.name, func(t *testing.T) {
			srv, _ := startServer(t, pc.config())
			nc, err := smtp.Dial(srv.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if err := nc.Hello("lab.client"); err != nil {
				t.Fatal(err)
			}
			if ok, params := nc.Extension("XCLIENT"); !ok || params != xclientAttrs {
				t.Fatalf("XCLIENT advertised: %v %q", ok, params)
			}
			cmd := func(expect int, format string, args ...any) {
				t.Helper()
				id, err := nc.Text.Cmd(format, args...)
				if err != nil {
					t.Fatal(err)
				}
				nc.Text.StartResponse(id)
				defer nc.Text.EndResponse(id)
				if _, msg, err := nc.Text.ReadResponse(expect); err != nil {
					t.Fatalf(format+": %v %s", append(args, err, msg)...)
				}
			}
			cmd(220, "%s", XClient{Addr: pc.addr, Name: pc.xname}.Command())
			cmd(250, "HELO %s", pc.helo)
			checkErr := func(what string, err error, w want) bool {
				t.Helper()
				if w.code == okMail {
					if err != nil {
						t.Fatalf("%s: %v, want success", what, err)
					}
					return true
				}
				var te *textproto.Error
				if !errors.As(err, &te) || te.Code != w.code || !strings.HasPrefix(te.Msg, w.enhanced+" ") || !strings.Contains(te.Msg, w.text) {
					t.Fatalf("%s: %v, want %v", what, err, w)
				}
				return false
			}
			if !checkErr("MAIL", nc.Mail(pc.from), pc.mail) || !checkErr("RCPT", nc.Rcpt("user@example.com"), pc.rcpt) {
				if err := nc.Quit(); err != nil {
					t.Fatal(err)
				}
				return
			}
			w, err := nc.Data()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte("Subject: lab\r\n\r\nhello\r\n")); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := nc.Quit(); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Mailbox().Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages stored", len(msgs))
			}
			checkMessage(t, msgs[0], pc)
		})
	}
}

// TestPolicyConfigErrors checks that a rule that cannot work is refused
// with the result and the reason.
func TestPolicyConfigErrors(t *testing.T) {
	z := testZone(t)
	for _, tc := range []struct {
		policy Policy
		err    string
	}{
		{Policy{"maybe": {Action: ActionReject}}, `"maybe" is not an SPF result`},
		{Policy{spf.Fail: {}}, "policy for fail: no action"},
		{Policy{spf.Fail: {Action: ActionReject, Code: 451}}, "code 451 is not a 5xx reply for reject"},
		{Policy{spf.Fail: {Action: ActionTempFail, Code: 550}}, "code 550 is not a 4xx reply for tempfail"},
		{Policy{spf.Fail: {Action: ActionReject, Enhanced: "4.7.1"}}, `enhanced code "4.7.1" is not 5.X.Y`},
		{Policy{spf.Fail: {Action: ActionReject, Enhanced: "5.7"}}, `enhanced code "5.7" is not 5.X.Y`},
		{Policy{spf.Pass: {Action: ActionAccept, Text: "hi"}}, "action accept sends no reply of its own"},
		{Policy{spf.Fail: {Action: ActionReject, Text: "two\nlines"}}, "line break"},
	} {
		_, err := NewServer(Config{Resolver: z, Policy: tc.policy})
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%v: error %v, want %q", tc.policy, err, tc.err)
		}
	}
	if _, err := NewServer(Config{}); err == nil || !strings.Contains(err.Error(), "Resolver is required") {
		t.Errorf("no resolver: %v", err)
	}
	if _, err := NewServer(Config{Resolver: z, Limits: Limits{ReadTimeout: -1}, MailboxBytes: -1}); err == nil ||
		!strings.Contains(err.Error(), "Config.Limits.ReadTimeout is negative") || !strings.Contains(err.Error(), "Config.MailboxBytes is negative") {
		t.Errorf("negative limits: %v", err)
	}
	if _, err := NewServer(Config{Resolver: z, Limits: Limits{MaxLineLength: 100}}); err == nil || !strings.Contains(err.Error(), "MaxLineLength 100") {
		t.Errorf("short lines: %v", err)
	}
}
