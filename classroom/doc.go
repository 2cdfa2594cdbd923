// Package classroom serves one lesson to real clients, as `spflab serve`
// does in front of a class: the lesson's SMTP server (smtpsim, with its
// SPF policy, XCLIENT and mailbox) and its DNS zone (fakedns over UDP and
// TCP) on real sockets, the commands that reach them with swaks, nc and
// dig (Hints), and every SMTP event and DNS query passed to a live
// monitor (Feed) or written to a log, as text or JSON (Log).
//
// A Lesson comes from a scenario (ScenarioLesson) or from a bare zone file
// (ZoneLesson); Start serves it:
//
//	lab, err := classroom.Start(classroom.ScenarioLesson(sc), classroom.Config{
//		SMTPAddr: "127.0.0.1:2525", DNSAddr: "127.0.0.1:5353",
//		OnSMTP: log.SMTP, OnDNS: log.DNS,
//	})
//	...
//	defer lab.Shutdown(ctx)
//
// The package owns no flags and prints nothing of its own accord: the
// command line chooses addresses and output.
package classroom
