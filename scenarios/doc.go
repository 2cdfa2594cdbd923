// Package scenarios is spflab's lessons: the scenarios.yaml format, its
// strict loader, a runner that plays a lesson against a real smtpsim
// server over loopback TCP one step at a time, the checking of each
// step's expectations, and printers of a run as text, JSON Lines or a
// Markdown handout.
//
// # The format
//
// A file is a YAML mapping with an optional defaults: section and a list
// of scenarios:
//
//	defaults:                  # shared by every scenario of the file
//	  client: 192.0.2.80       # any scenario key marked (d) below
//	  server: {...}
//	  zones: {...}
//	  zonefile: euston.net.zone
//	scenarios:
//	  - id: seed-spf-fail      # letters, digits, ".", "-", "_"; unique
//	    title: SPF -all refuses www.euston.net
//	    summary: one line for the list
//	    lesson: |              # optional: told before the first step
//	      ...
//	    client: 192.0.2.80     # (d) IPv4 or IPv6; the lab sets it with XCLIENT ADDR
//	    server:                # (d) each key overrides the default's
//	      hostname: mail.example.com   # default mail.example.com
//	      personality: sendmail        # the replies' words: go-smtp (default), sendmail or postfix
//	      check_at: rcpt               # rcpt (default) or mail
//	      check_helo: false            # also check the HELO identity at HELO/EHLO
//	      sender_domain_check: true    # 553 5.1.8 for a sender domain that does not exist
//	      explanation: "..."           # explain-string of a fail without exp= (RFC 7208 §6.2)
//	      policy:                      # per result, over smtpsim.DefaultPolicy
//	        softfail: header           # header, accept, tempfail or reject
//	        fail: {action: reject, code: 550, enhanced: 5.7.23, text: "{explanation}"}
//	      dmarc: true                  # DKIM and DMARC at the end of each message (default false)
//	    zones:                 # (d) the openspf suite's zonedata format
//	      euston.net:
//	        - MX: [10, mail.euston.net]
//	        - TXT: "v=spf1 ip4:192.0.2.25 -all"
//	    zonefile: x.zone       # (d) or a list: BIND files, relative to this file's folder
//	    dkim:                  # keys the lab signs messages with (RFC 6376)
//	      - domain: euston.net # d=; one key per domain
//	        selector: lab      # s=; the key's record goes to lab._domainkey.euston.net
//	        seed: any text     # an Ed25519 key made from the text, the same on every load
//	        # or key: |        # a PEM private key: RSA (1024 bits or more) or Ed25519
//	    dialogue:
//	      - narration: what the server is about to do, and why
//	        send: "MAIL From: <honeypot@euston.net>"   # the raw line, sent exactly as written
//	        notice: what to notice in the reply and the SPF steps
//	        expect: {code: 250}
//	      - send: DATA
//	      - data: |            # the message after DATA's 354, "." added
//	          Subject: hi
//
//	          body
//	        expect:
//	          code: 250
//	          enhanced: 2.0.0
//	          text: "substring of the reply"
//	          header: ["Received-SPF: pass", Authentication-Results]
//	      - send: DATA
//	      - sign: euston.net   # or a list: the lab signs the message with the dkim: keys
//	        tamper: body       # or subject: changed in transit, after signing
//	        data: |
//	          From: news@euston.net
//
//	          Pay 1000 EUR.
//	        expect: {code: 250, dkim: fail, dmarc: pass}
//	      - narration: a step may only narrate
//
// A step sends a line (send:), sends a message (data:, right after a send:
// DATA), or only narrates. Its expectations are code, enhanced (RFC 3463),
// text (contained in the reply), spf (the result of the check the step
// triggers), header ("Name" or "Name: text" in the stored message), rdns
// (the client's confirmed reverse name found at HELO/EHLO, or none), and,
// for a message to a server with dmarc: true, dkim (the verdict on each
// signature in header order, RFC 8601 §2.7.1; none for an unsigned
// message) and dmarc (the DMARC result, RFC 9989 §9.2).
//
// The lab signs a data: step's message with the keys its sign: names,
// once, when the file is loaded (so a run and its rewinds send the same
// bytes; the t= of a signature is the load's time), and then changes it
// as tamper: says: body changes one byte of the body (the first digit,
// else the first letter), subject tags the Subject as a mailing list
// does. A message to sign needs one From: field. Each key's record
// (dkim.Key.Record) is published at selector._domainkey.domain in the
// scenario's zone, unless its zones list that name: then their records
// stand, for a lesson about a wrong or revoked key. A seed: key is the
// Ed25519 key whose seed is the SHA-256 of the text (RFC 8032): the same
// key and record on every load and machine, where an RSA key could only
// be generated at random.
//
// The zone of a scenario is its zone files (the defaults' first), then the
// default zones, then its own zones; a name listed by a later source
// replaces that name's records from the earlier ones.
//
// Loading is strict and reports every problem at once as Errors, each
// "file:line: field: what": unknown keys, keys given twice, wrong types,
// missing keys, duplicate ids, addresses that do not parse, zone names that
// are not names, a zone file that does not load, and expectations that no
// run can meet (an SPF result on a step that triggers no check, a header
// on a step that stores no message, an enhanced code of the wrong class, a
// line after QUIT, DATA without its message).
//
// # Running
//
// Start starts a server with the scenario's zone (a draft record over it
// with Options.Records, through fakedns.WithDrafts) and a fixed clock, so that
// a run gives the same events every time; Runner.Next plays one step and
// returns its events in order, Runner.Send sends a line of the learner's
// own on the same session. Each Step says its Role: the set-up, a step of
// the dialogue, a line typed with Send, or the lab hanging up at the end.
// An Event is the run's own (lesson, narration, note, notice, check) or
// EventSMTP, which carries the server's event with its own kind. Run
// plays a whole scenario into a Transcript, which WriteText, WriteJSON and
// WriteMarkdown print. SPFLine and SMTPLine are the words the printers use
// for one event, for any viewer.
package scenarios
