// Package smtpsim is spflab's mail server: the server of the seed article,
// run for real on loopback. It is go-smtp (github.com/emersion/go-smtp)
// with
//
//   - the reveal of a lying HELO: at HELO/EHLO the client address's PTR
//     names are looked up and forward-confirmed (EventHELO: "said
//     mail.euston.net, is www.euston.net"), and the Received field shows
//     both, "from mail.euston.net (www.euston.net [192.0.2.80])";
//   - the sender domain check: at MAIL, a domain with no MX, A or AAAA
//     record gets "553 5.1.8 ... Domain of sender address ... does not
//     exist";
//   - SPF (package spf, RFC 7208) of the MAIL FROM identity (the HELO
//     identity for the null sender), at RCPT as in the seed or at MAIL,
//     and optionally of the HELO identity (§2.3), with a Policy per result
//     (Rule: accept with or without header fields, 4xx, 5xx; defaults fail
//     → 550 5.7.23 with the exp= explanation or "SPF test returned fail for
//     <ip>: ip=<ip> sender=<sender> helo=<helo>", temperror → 451 4.4.3,
//     permerror → 550 5.7.24, RFC 7372);
//   - accepted messages get Authentication-Results (RFC 8601),
//     Received-SPF (RFC 7208 §9.1) and Received (RFC 5321 §4.4) and go
//     into a bounded in-memory Mailbox. Nothing ever leaves the process;
//   - with Config.DMARC, at the end of DATA: the header From (net/mail),
//     its DKIM signatures verified (package dkim, RFC 6376) and DMARC
//     evaluated (package dmarc, RFC 9989) with the SPF result of the MAIL
//     FROM identity; the disposition reject refuses the message with "550
//     5.7.26 Unauthenticated email from <domain> is not accepted due to
//     domain's DMARC policy" (RFC 7372), quarantine stores it marked
//     (Message.Quarantined, X-Spflab-Quarantine), none stores it; dkim= and
//     dmarc= clauses join Authentication-Results;
//   - XCLIENT (Postfix), so that a client on loopback can claim any
//     address: swaks --xclient-addr 192.0.2.80 --xclient-name
//     www.euston.net works;
//   - a Personality: the words of a real MTA's replies (sendmail's, as
//     in the seed, or Postfix's) in place of go-smtp's, the codes left as
//     they are;
//   - limits on line length, message size, recipients, read and write
//     time, concurrent sessions, sessions per client address and the wait
//     for the first command, silent connections giving their places to
//     new ones when all are taken (Limits); a command holding a control
//     character is refused, never echoed (RFC 5321 §2.3.8);
//   - one ordered, timestamped stream of Events per session: every client
//     line and server reply, the server's own DNS queries, each step of
//     each SPF evaluation, DKIM verification and DMARC evaluation, the
//     policies' decisions, XCLIENT restarts, the header fields added, the
//     message stored, the close. Each event names the command that caused
//     it (Command, Cause).
//
// # Use
//
//	srv, err := smtpsim.NewServer(smtpsim.Config{Resolver: zone, OnEvent: rec.Record})
//	err = srv.Start()                        // 127.0.0.1, a port the OS picks
//	c, err := smtpsim.Dial(ctx, srv.Addr().String())
//	c.XClient("192.0.2.80", "", "")          // be www.euston.net
//	c.Send("HELO mail.euston.net")           // and lie about it
//	c.Send("MAIL From:honeypot@euston.net")  // sent exactly as written
//	r, err := c.Send("RCPT To:user@example.com") // 550 5.7.23 SPF test returned fail ...
//	c.Send("QUIT")
//	events, err := rec.Wait(ctx, c.LocalAddr()) // the session's story
//	srv.Shutdown(ctx)
//
// A Recorder collects events per session; Wait finds a session by the
// client's address (Client.LocalAddr is the Remote of its EventConnect).
// Config.OnEvent may be any function: it is called in order, one event of
// a session at a time, while the session waits.
//
// # The front, and how XCLIENT restarts a session
//
// go-smtp has no XCLIENT and no hook for commands of one's own: its Conn
// reads commands from a net.Conn that its Server accepts from a
// net.Listener. So the Server owns each TCP connection (a conn) and gives
// go-smtp, through a Listener of its own, a virtual connection over it —
// one per incarnation of the session. The virtual connection's Read and
// Write run on go-smtp's goroutine:
//
//   - Read returns at most one line per call, so go-smtp never buffers a
//     command it has not asked for, and each line is looked at when go-smtp
//     wants it. A line that starts with XCLIENT is taken away from go-smtp:
//     refused with a reply the front writes (550 5.7.0 for an untrusted
//     client, 503 5.5.1 inside a transaction, 501 5.5.4 for bad
//     attributes), or accepted: Read returns io.EOF, go-smtp ends that
//     incarnation and closes its connection; the Close hands a new virtual
//     connection for the same TCP connection, whose RemoteAddr is the
//     XCLIENT ADDR, back through the Listener, and go-smtp greets it with a
//     new 220. So the client's next command meets a fresh session, as
//     Postfix's XCLIENT_README prescribes. go-smtp wants a new HELO/EHLO
//     before MAIL; XCLIENT clients such as swaks send one.
//   - Write collects go-smtp's reply lines; each complete reply becomes an
//     EventReply and is sent. The EHLO reply to a trusted client gets the
//     line "XCLIENT NAME ADDR PORT PROTO HELO".
//   - After a 354 reply the front follows the message with go-smtp's own
//     end-of-data rule (CRLF "." CRLF), and after BDAT it passes the chunk
//     through, so a line of a message is never taken for a command.
//
// XCLIENT NAME is used as the client's confirmed host name instead of a
// reverse lookup (Postfix semantics); ADDR without NAME looks the new
// address up. HELO and PROTO are recorded but, as in Postfix, the HELO or
// EHLO the client sends next replaces them. ADDR=[UNAVAILABLE] is refused:
// SPF needs an address. Only clients in Config.XClientTrusted (loopback by
// default) may use XCLIENT, and only they see it advertised.
//
// # Personalities, and why they live in the front
//
// RFC 5321 §4.2 fixes the reply codes and leaves the text to the server;
// every MTA has its own. go-smtp writes fixed texts for the greeting,
// HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP and QUIT ("250 2.0.0 Roger,
// accepting mail from <honeypot@euston.net>") with no way for a backend
// to change them: its Session methods return only errors, and the 250s
// are written inside its Conn. So the wording is done in the front, on
// the replies' way out: Write parses each reply go-smtp writes, knows it
// by the command being served and its code (a 250 to MAIL, a 553 at MAIL,
// a 354 to DATA, a 250 after the message, ...), and replaces its text and
// enhanced code with Config.Personality's; its three-digit code never
// changes. The SPF policy's refusals are known by their words (the front
// sees each EventPolicy before go-smtp writes its reply) and are worded
// too. What a text needs comes from the session's own events: the
// client's confirmed name from EventHELO, the message's ID from
// EventStored. Replies go-smtp writes for errors of syntax, sequence or
// size keep its words; the EHLO reply keeps its capabilities and only its
// first line is worded. Every other reply stays on one line.
//
// The seed's dialogue with PersonalitySendmail reads as the article prints
// it (documentation addresses in the blanks it lost):
//
//	220 mail.example.com SMTP Server ready.
//	250 mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you
//	553 5.1.8 buddy@your.friend... Domain of sender address buddy@your.friend does not exist
//	250 2.1.0 honeypot@euston.net Sender ok
//	250 2.1.5 user@example.com... Recipient ok
//	550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected.
//
// The article's 550 has no enhanced code; this one keeps RFC 7372's
// 5.7.23. PersonalityPostfix says "250 mail.example.com", "250 2.1.0 Ok"
// and "550 5.7.23 <user@example.com>: Recipient address rejected: ...".
// The default, PersonalityGoSMTP, leaves go-smtp's words alone: "250 2.0.0
// Hello mail.euston.net", "250 2.0.0 I'll make sure <user@example.com>
// gets this", "250 2.0.0 OK: queued", the greeting "220 mail.example.com
// ESMTP Service Ready"; there the reveal of the HELO is in EventHELO and
// the Received field only, and the lab's own refusals (553 5.1.8, 550
// 5.7.23, ...) are worded as above without "Command rejected.".
package smtpsim
