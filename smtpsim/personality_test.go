package smtpsim

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

// TestPersonalityWords words each reply go-smtp writes, and each refusal
// the lab makes, in each personality: the code never changes, the enhanced
// code and the text are the MTA's.
func TestPersonalityWords(t *testing.T) {
	www := clientName{ip: netip.MustParseAddr("192.0.2.80"), confirmed: "www.euston.net", ptr: []string{"www.euston.net"}}
	forged := clientName{ip: netip.MustParseAddr("192.0.2.99"), ptr: []string{"liar.example"}}
	nameless := clientName{ip: netip.MustParseAddr("2001:db8::25")}
	spfFail := "550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net"
	spfTemp := "451 4.4.3 SPF test returned temperror for 192.0.2.31: DNS timeout."
	ehlo := "250-Hello mail.euston.net\n250-PIPELINING\n250 SIZE 1048576"
	tests := []struct {
		name      string
		verb      string // the command being served
		line      string // its line
		client    clientName
		refusals  []string
		gosmtp    string // go-smtp's reply, as the go-smtp personality sends it
		sendmail  string
		postfix   string
		queuedID  uint64
		wantLines int // lines of the worded reply, 0 for 1
	}{
		{name: "greeting", gosmtp: "220 mail.example.com ESMTP Service Ready",
			sendmail: "220 mail.example.com SMTP Server ready.", postfix: "220 mail.example.com ESMTP Postfix"},
		{name: "greeting after XCLIENT", verb: "XCLIENT", line: "XCLIENT ADDR=192.0.2.80", gosmtp: "220 mail.example.com ESMTP Service Ready",
			sendmail: "220 mail.example.com SMTP Server ready.", postfix: "220 mail.example.com ESMTP Postfix"},
		{name: "HELO, confirmed name", verb: "HELO", line: "HELO mail.euston.net", client: www, gosmtp: "250 2.0.0 Hello mail.euston.net",
			sendmail: "250 mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you", postfix: "250 mail.example.com"},
		{name: "HELO, a name that does not point back", verb: "HELO", line: "HELO x", client: forged, gosmtp: "250 2.0.0 Hello x",
			sendmail: "250 mail.example.com Hello liar.example [192.0.2.99] (may be forged), pleased to meet you", postfix: "250 mail.example.com"},
		{name: "HELO, IPv6 without a name", verb: "HELO", line: "HELO x", client: nameless, gosmtp: "250 2.0.0 Hello x",
			sendmail: "250 mail.example.com Hello [IPv6:2001:db8::25], pleased to meet you", postfix: "250 mail.example.com"},
		{name: "EHLO keeps its capabilities", verb: "EHLO", line: "EHLO mail.euston.net", client: www, gosmtp: ehlo, wantLines: 3,
			sendmail: "250-mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you\n250-PIPELINING\n250 SIZE 1048576",
			postfix:  "250-mail.example.com\n250-PIPELINING\n250 SIZE 1048576"},
		{name: "MAIL as written", verb: "MAIL", line: "MAIL From:honeypot@euston.net", gosmtp: "250 2.0.0 Roger, accepting mail from <honeypot@euston.net>",
			sendmail: "250 2.1.0 honeypot@euston.net Sender ok", postfix: "250 2.1.0 Ok"},
		{name: "MAIL in brackets, with a parameter", verb: "MAIL", line: "MAIL FROM: <honeypot@euston.net> SIZE=100", gosmtp: "250 2.0.0 Roger, accepting mail from <honeypot@euston.net>",
			sendmail: "250 2.1.0 <honeypot@euston.net> Sender ok", postfix: "250 2.1.0 Ok"},
		{name: "unknown sender domain", verb: "MAIL", line: "MAIL From:buddy@your.friend",
			gosmtp:   "553 5.1.8 buddy@your.friend... Domain of sender address buddy@your.friend does not exist",
			sendmail: "553 5.1.8 buddy@your.friend... Domain of sender address buddy@your.friend does not exist",
			postfix:  "553 5.1.8 <buddy@your.friend>: Sender address rejected: Domain not found"},
		{name: "sender domain lookups failed", verb: "MAIL", line: "MAIL From:<a@flaky.example>",
			gosmtp:   "451 4.4.3 a@flaky.example... Temporary DNS failure looking up the domain of sender address a@flaky.example",
			sendmail: "451 4.1.8 Domain of sender address a@flaky.example does not resolve",
			postfix:  "451 4.4.3 <a@flaky.example>: Sender address rejected: Domain not found"},
		{name: "RCPT", verb: "RCPT", line: "RCPT To:user@example.com", gosmtp: "250 2.0.0 I'll make sure <user@example.com> gets this",
			sendmail: "250 2.1.5 user@example.com... Recipient ok", postfix: "250 2.1.5 Ok"},
		{name: "SPF fail at RCPT", verb: "RCPT", line: "RCPT To: <user@example.com>", refusals: []string{spfFail}, gosmtp: spfFail,
			sendmail: spfFail + ". Command rejected.",
			postfix:  "550 5.7.23 <user@example.com>: Recipient address rejected: SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net."},
		{name: "SPF temperror at MAIL", verb: "MAIL", line: "MAIL From:<a@flaky.example>", refusals: []string{spfFail, spfTemp}, gosmtp: spfTemp,
			sendmail: spfTemp + " Please try again later.",
			postfix:  "451 4.4.3 <a@flaky.example>: Sender address rejected: SPF test returned temperror for 192.0.2.31: DNS timeout."},
		{name: "another 550 is go-smtp's", verb: "RCPT", line: "RCPT To:<x@example.com>", refusals: []string{spfFail}, gosmtp: "550 5.0.0 Handshake error",
			sendmail: "550 5.0.0 Handshake error", postfix: "550 5.0.0 Handshake error"},
		{name: "DATA", verb: "DATA", line: "DATA", gosmtp: "354 Go ahead. End your data with <CR><LF>.<CR><LF>",
			sendmail: `354 Enter mail, end with "." on a line by itself`, postfix: "354 End data with <CR><LF>.<CR><LF>"},
		{name: "the message", verb: "DATA", line: "DATA", queuedID: 42, gosmtp: "250 2.0.0 OK: queued",
			sendmail: "250 2.0.0 m0000042 Message accepted for delivery", postfix: "250 2.0.0 Ok: queued as 000000002A"},
		{name: "the last BDAT chunk", verb: "BDAT", line: "BDAT 9 LAST", queuedID: 7, gosmtp: "250 2.0.0 OK: queued",
			sendmail: "250 2.0.0 m0000007 Message accepted for delivery", postfix: "250 2.0.0 Ok: queued as 0000000007"},
		{name: "a BDAT chunk", verb: "BDAT", line: "BDAT 9", gosmtp: "250 2.0.0 Continue",
			sendmail: "250 2.0.0 Continue", postfix: "250 2.0.0 Continue"},
		{name: "RSET", verb: "RSET", line: "RSET", gosmtp: "250 2.0.0 Session reset", sendmail: "250 2.0.0 Reset state", postfix: "250 2.0.0 Ok"},
		{name: "NOOP", verb: "NOOP", line: "NOOP", gosmtp: "250 2.0.0 I have successfully done nothing", sendmail: "250 2.0.0 OK", postfix: "250 2.0.0 Ok"},
		{name: "QUIT", verb: "QUIT", line: "QUIT", gosmtp: "221 2.0.0 Bye", sendmail: "221 2.0.0 mail.example.com closing connection", postfix: "221 2.0.0 Bye"},
		{name: "a syntax error is go-smtp's", verb: "MAIL", line: "MAIL x", gosmtp: "501 5.5.2 Was expecting MAIL arg syntax of FROM:<address>",
			sendmail: "501 5.5.2 Was expecting MAIL arg syntax of FROM:<address>", postfix: "501 5.5.2 Was expecting MAIL arg syntax of FROM:<address>"},
	}
	for _, tt := range tests {
		in, err := ParseReply(tt.gosmtp)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		x := exchange{verb: tt.verb, line: tt.line, host: "mail.example.com", client: tt.client, queued: tt.queuedID}
		for _, s := range tt.refusals {
			r, err := ParseReply(s)
			if err != nil {
				t.Fatal(err)
			}
			x.refusals = append(x.refusals, r)
		}
		for p, want := range map[Personality]string{PersonalityGoSMTP: tt.gosmtp, PersonalitySendmail: tt.sendmail, PersonalityPostfix: tt.postfix} {
			t.Run(p.String()+"/"+tt.name, func(t *testing.T) {
				got, changed := p.word(x, in)
				if got.String() != want {
					t.Errorf("got  %q\nwant %q", got.String(), want)
				}
				if changed != (want != tt.gosmtp) {
					t.Errorf("changed = %v for %q", changed, got.String())
				}
				if got.Code != in.Code {
					t.Errorf("code %d became %d: the code is the protocol's", in.Code, got.Code)
				}
				if n := max(tt.wantLines, 1); len(got.Lines) != n {
					t.Errorf("%d lines, want %d", len(got.Lines), n)
				}
			})
		}
	}
}

// articleDialogue is the seed's dialogue typed from www.euston.net: the
// lying HELO, the imaginary domain, the forged sender accepted, then SPF's
// refusal after RCPT; and, from mail.euston.net, a message delivered.
var articleDialogue = []string{
	"HELO mail.euston.net",
	"MAIL From:buddy@your.friend",
	"MAIL From:honeypot@euston.net",
	"RCPT To:user@example.com",
	"RSET",
	"MAIL From: <honeypot@euston.net>",
	"RCPT To: <user@example.com>",
	"RSET",
	"XCLIENT ADDR=192.0.2.25",
	"HELO mail.euston.net",
	"NOOP",
	"MAIL From:honeypot@euston.net",
	"RCPT To:user@example.com",
	"DATA",
	"", // the message
	"QUIT",
}

// playArticle plays articleDialogue on a server of the personality and
// returns each reply as it was on the wire, the greeting first.
func playArticle(t *testing.T, p Personality) []string {
	t.Helper()
	srv, _ := startServer(t, Config{Personality: p})
	c := dial(t, srv)
	if _, err := c.XClient("192.0.2.80", "", ""); err != nil {
		t.Fatal(err)
	}
	got := []string{c.Greeting.String()}
	for _, line := range articleDialogue {
		var r Reply
		var err error
		if line == "" {
			r, err = c.SendBody("Subject: hello\n\nfrom mail.euston.net")
		} else {
			r, err = c.Send(line)
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.String())
	}
	return got
}

// TestSendmailSpeaksLikeTheArticle plays the seed's dialogue over TCP with
// the sendmail personality: every reply reads as the article prints it,
// documentation addresses in the blanks the article lost.
func TestSendmailSpeaksLikeTheArticle(t *testing.T) {
	got := playArticle(t, PersonalitySendmail)
	want := []string{
		"220 mail.example.com SMTP Server ready.",
		"250 mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you",
		"553 5.1.8 buddy@your.friend... Domain of sender address buddy@your.friend does not exist",
		"250 2.1.0 honeypot@euston.net Sender ok",
		"550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected.",
		"250 2.0.0 Reset state",
		"250 2.1.0 <honeypot@euston.net> Sender ok",
		"550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected.",
		"250 2.0.0 Reset state",
		"220 mail.example.com SMTP Server ready.",
		"250 mail.example.com Hello mail.euston.net [192.0.2.25], pleased to meet you",
		"250 2.0.0 OK",
		"250 2.1.0 honeypot@euston.net Sender ok",
		"250 2.1.5 user@example.com... Recipient ok",
		`354 Enter mail, end with "." on a line by itself`,
		"250 2.0.0 m0000001 Message accepted for delivery",
		"221 2.0.0 mail.example.com closing connection",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("replies:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPersonalitiesShareCodes plays the same dialogue with each
// personality: the codes are the protocol's and never differ, the texts
// are each MTA's own.
func TestPersonalitiesShareCodes(t *testing.T) {
	replies := map[Personality][]string{}
	for _, p := range Personalities() {
		replies[p] = playArticle(t, p)
	}
	postfix := []string{
		"220 mail.example.com ESMTP Postfix",
		"250 mail.example.com",
		"553 5.1.8 <buddy@your.friend>: Sender address rejected: Domain not found",
		"250 2.1.0 Ok",
		"550 5.7.23 <user@example.com>: Recipient address rejected: SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net.",
		"250 2.0.0 Ok",
		"250 2.1.0 Ok",
		"550 5.7.23 <user@example.com>: Recipient address rejected: SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net.",
		"250 2.0.0 Ok",
		"220 mail.example.com ESMTP Postfix",
		"250 mail.example.com",
		"250 2.0.0 Ok",
		"250 2.1.0 Ok",
		"250 2.1.5 Ok",
		"354 End data with <CR><LF>.<CR><LF>",
		"250 2.0.0 Ok: queued as 0000000001",
		"221 2.0.0 Bye",
	}
	if got := replies[PersonalityPostfix]; strings.Join(got, "\n") != strings.Join(postfix, "\n") {
		t.Errorf("postfix replies:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(postfix, "\n"))
	}
	base := replies[PersonalityGoSMTP]
	for _, p := range Personalities()[1:] {
		for i, r := range replies[p] {
			if r[:3] != base[i][:3] {
				t.Errorf("%s, reply %d: %q has another code than go-smtp's %q", p, i, r, base[i])
			}
		}
	}
}

// TestPersonalityEHLOAndEvents: the EHLO reply keeps go-smtp's
// capabilities and the XCLIENT line for a trusted client, and the events
// carry the replies as they went on the wire.
func TestPersonalityEHLOAndEvents(t *testing.T) {
	srv, rec := startServer(t, Config{Personality: PersonalitySendmail})
	c := dial(t, srv)
	r := send(t, c, "EHLO mail.euston.net", want{code: 250})
	if r.Lines[0] != "mail.example.com Hello [127.0.0.1], pleased to meet you" || r.Lines[1] != "XCLIENT "+xclientAttrs ||
		!strings.Contains(r.Text(), "ENHANCEDSTATUSCODES") || !strings.HasPrefix(r.Lines[len(r.Lines)-1], "LIMITS") {
		t.Errorf("EHLO reply:\n%s", r.String())
	}
	send(t, c, "QUIT", want{221, "2.0.0", "mail.example.com closing connection"})
	var wire []string
	for _, e := range find(waitEvents(t, rec, c), EventReply) {
		wire = append(wire, e.Reply.String())
	}
	if len(wire) != 3 || wire[0] != c.Greeting.String() || wire[1] != r.String() || wire[2] != "221 2.0.0 mail.example.com closing connection" {
		t.Errorf("reply events:\n%s", strings.Join(wire, "\n"))
	}
}

func TestPersonalityNames(t *testing.T) {
	for _, p := range Personalities() {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back Personality
		if err := json.Unmarshal(b, &back); err != nil || back != p {
			t.Errorf("%s: %s → %v, %v", p, b, back, err)
		}
	}
	if _, err := ParsePersonality("exim"); err == nil || !strings.Contains(err.Error(), "go-smtp, sendmail, postfix") {
		t.Errorf("ParsePersonality(exim): %v", err)
	}
	if _, err := NewServer(Config{Resolver: testZone(t), Personality: 9}); err == nil || !strings.Contains(err.Error(), "Config.Personality") {
		t.Errorf("NewServer with personality 9: %v", err)
	}
	if _, err := Personality(9).MarshalText(); err == nil {
		t.Error("MarshalText of personality 9: no error")
	}
}

// FuzzCommandAddress checks the reading of MAIL and RCPT addresses on any
// line: no panic, and the address is a part of the line holding no space
// outside its brackets.
func FuzzCommandAddress(f *testing.F) {
	for _, s := range []string{
		"MAIL From:honeypot@euston.net",
		"MAIL FROM: <honeypot@euston.net> SIZE=100",
		"RCPT To:<user@example.com>",
		"RCPT TO:<a b@example.com",
		"MAIL",
		"MAIL FROM:",
		"RCPT to:  x\ty",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		verb, _, _ := strings.Cut(line, " ")
		a := commandAddress(strings.ToUpper(verb), line)
		if !strings.Contains(line, a) {
			t.Fatalf("%q: %q is not in the line", line, a)
		}
		if !strings.HasPrefix(a, "<") && strings.ContainsAny(a, " \t") {
			t.Fatalf("%q: %q holds a space", line, a)
		}
	})
}

// BenchmarkWord measures the wording of one reply on its way out: the
// RCPT reply in sendmail's words.
func BenchmarkWord(b *testing.B) {
	r, err := ParseReply("250 2.0.0 I'll make sure <user@example.com> gets this")
	if err != nil {
		b.Fatal(err)
	}
	x := exchange{verb: "RCPT", line: "RCPT To:<user@example.com>", host: "mail.example.com"}
	for b.Loop() {
		if _, changed := PersonalitySendmail.word(x, r); !changed {
			b.Fatal("not worded")
		}
	}
}
