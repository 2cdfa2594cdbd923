package spf

import (
	"strings"
)

// ReceivedSPF returns the value of the Received-SPF header field a receiver
// adds for o (RFC 7208 §9.1): the result, a comment in words, and the
// key-value pairs client-ip, envelope-from, helo, identity, receiver,
// mechanism and, for an error, problem. receiver names the receiving host.
func ReceivedSPF(o Outcome, receiver string) string {
	var b strings.Builder
	b.WriteString(string(o.Result))
	b.WriteString(" (")
	b.WriteString(receiver)
	b.WriteString(": ")
	b.WriteString(comment(o))
	b.WriteString(")")
	kv := func(k, v string) {
		b.WriteString(" ")
		b.WriteString(k)
		b.WriteString("=")
		b.WriteString(quoteValue(v))
		b.WriteString(";")
	}
	kv("client-ip", o.IP.String())
	kv("envelope-from", o.MailFrom)
	kv("helo", o.HELO)
	switch {
	case o.Mechanism != "":
		kv("mechanism", o.Mechanism)
	case o.Result == Neutral:
		kv("mechanism", "default") // no mechanism matched (RFC 7208 §9.1)
	}
	if o.Err != nil && (o.Result == PermError || o.Result == TempError) {
		kv("problem", o.Err.Error())
	}
	kv("identity", string(o.Identity))
	kv("receiver", receiver)
	return strings.TrimSuffix(b.String(), ";")
}

// comment is the text of RFC 7208 §9.1's example comments for each result.
func comment(o Outcome) string {
	who, ip := "domain of "+o.Sender, o.IP.String()
	switch o.Result {
	case Pass:
		return who + " designates " + ip + " as permitted sender"
	case Fail:
		return who + " does not designate " + ip + " as permitted sender"
	case Softfail:
		return "domain of transitioning " + o.Sender + " does not designate " + ip + " as permitted sender"
	case Neutral:
		return ip + " is neither permitted nor denied by " + who
	case None:
		return who + " does not designate permitted sender hosts"
	case TempError:
		return "error in processing during lookup of " + o.Sender
	}
	return "permanent error in processing " + who
}

// quoteValue returns v as a dot-atom when it is one, else as a quoted-string
// (RFC 5322 §3.2.4).
func quoteValue(v string) string {
	if v != "" && strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.") == "" &&
		!strings.HasPrefix(v, ".") && !strings.HasSuffix(v, ".") && !strings.Contains(v, "..") {
		return v
	}
	return `"` + quotedPair.Replace(v) + `"`
}

// quotedPair escapes a quoted-string's backslashes and quotes and drops
// line breaks (RFC 5322 §3.2.4).
var quotedPair = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

// AuthResultsClause returns the spf= clause of an Authentication-Results
// header field for o (RFC 8601 §2.7.2), e.g.
// "spf=fail smtp.mailfrom=euston.net": the property is smtp.mailfrom for
// the MAIL FROM identity and smtp.helo for the HELO identity.
func AuthResultsClause(o Outcome) string {
	prop := "smtp.mailfrom=" + quoteValue(o.Domain)
	if o.Identity == IdentityHELO {
		prop = "smtp.helo=" + quoteValue(o.HELO)
	}
	return "spf=" + string(o.Result) + " (" + comment(o) + ") " + prop
}
