package smtpsim

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Limits of a reply the parser accepts: RFC 5321 §4.5.3.1.5 allows 512
// octets per reply line; a server may send longer ones, so a generous bound.
const (
	maxReplyLines    = 100
	maxReplyLineSize = 4096
)

// Reply is one SMTP reply (RFC 5321 §4.2): a code, the enhanced status code
// when the server gave one (RFC 2034, RFC 3463), and the text of each line.
type Reply struct {
	Code int `json:"code"`
	// Enhanced is the enhanced status code, e.g. "5.7.23", "" when none.
	Enhanced string `json:"enhanced,omitempty"`
	// Lines holds the text of each line without the code, the separator and
	// the enhanced code.
	Lines []string `json:"lines"`
}

// Text returns the lines of the reply joined by newlines.
func (r Reply) Text() string { return strings.Join(r.Lines, "\n") }

// String returns the reply as it was on the wire, lines joined by "\n",
// with the enhanced code on the last line, the way go-smtp writes it.
func (r Reply) String() string {
	return string(r.appendLines(make([]byte, 0, r.size()), false))
}

// appendWire appends the reply as it goes on the wire to b: String's
// lines, each ended by CRLF.
func (r Reply) appendWire(b []byte) []byte {
	if strings.Contains(r.Enhanced, "\n") || slices.ContainsFunc(r.Lines, func(l string) bool { return strings.Contains(l, "\n") }) {
		// A line break inside a line: CRLF on the wire too.
		return append(append(b, strings.ReplaceAll(r.String(), "\n", "\r\n")...), "\r\n"...)
	}
	return append(r.appendLines(b, true), "\r\n"...)
}

// size is about the length of String: enough that most replies are
// written without growing their buffer.
func (r Reply) size() int {
	n := len(r.Enhanced) + 1
	for _, l := range r.Lines {
		n += len(l) + 6
	}
	return n
}

// appendLines appends String's lines to b, joined by "\n", or for the
// wire by CRLF.
func (r Reply) appendLines(b []byte, wire bool) []byte {
	lines := r.Lines
	if len(lines) == 0 {
		lines = []string{""}
	}
	for i, l := range lines {
		switch {
		case i > 0 && wire:
			b = append(b, '\r', '\n')
		case i > 0:
			b = append(b, '\n')
		}
		b = strconv.AppendInt(b, int64(r.Code), 10)
		last := i == len(lines)-1
		if last {
			b = append(b, ' ')
		} else {
			b = append(b, '-')
		}
		if r.Enhanced != "" && last {
			b = append(b, r.Enhanced...)
			if l != "" {
				b = append(b, ' ')
			}
		}
		b = append(b, l...)
	}
	return b
}

// replyBox holds a reply and, in the same allocation, the text of its
// line when it has one.
type replyBox struct {
	Reply
	line [1]string
}

// ReplyError is a reply that does not follow the grammar of RFC 5321 §4.2.
type ReplyError struct {
	Line   int    // 1-based line of the reply at fault
	Text   string // that line
	Reason string
}

// Error names the line at fault and why.
func (e *ReplyError) Error() string {
	return fmt.Sprintf("reply line %d %q: %s", e.Line, e.Text, e.Reason)
}

// ParseReply parses a complete reply: one or more lines separated by CRLF
// or LF, every line but the last with "-" after the code (RFC 5321 §4.2.1).
func ParseReply(text string) (Reply, error) {
	return parseReply(text, nil)
}

// parseReply is ParseReply, the reply's lines kept in the array of lines
// when it has room for them.
func parseReply(text string, lines []string) (Reply, error) {
	text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
	if n := min(strings.Count(text, "\n"), maxReplyLines) + 1; cap(lines) < n {
		lines = make([]string, 0, n)
	}
	p := replyParser{raw: lines[:0]}
	for i := 1; ; i++ {
		l, rest, more := strings.Cut(text, "\n")
		done, err := p.add(strings.TrimSuffix(l, "\r"))
		switch {
		case err != nil:
			return Reply{}, err
		case done && more:
			return Reply{}, &ReplyError{Line: i, Text: l, Reason: "a final line (code and space) before the end of the reply"}
		case !done && !more:
			return Reply{}, &ReplyError{Line: i, Text: l, Reason: "the reply ends with a continuation line (code and \"-\")"}
		case done:
			return p.reply, nil
		}
		text = rest
	}
}

// readReply reads one complete reply from br.
func readReply(br *bufio.Reader) (Reply, error) {
	var p replyParser
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxReplyLineSize {
			return Reply{}, &ReplyError{Line: p.n + 1, Text: string(line[:min(len(line), 64)]) + "...", Reason: fmt.Sprintf("longer than %d bytes", maxReplyLineSize)}
		}
		if err != nil {
			if p.n > 0 || len(line) > 0 {
				return Reply{}, fmt.Errorf("reading reply line %d: %w", p.n+1, err)
			}
			return Reply{}, fmt.Errorf("reading reply: %w", err)
		}
		done, perr := p.add(strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r"))
		if perr != nil {
			return Reply{}, perr
		}
		if done {
			return p.reply, nil
		}
	}
}

// replyParser takes the lines of a reply one at a time.
type replyParser struct {
	reply Reply
	n     int      // lines taken
	raw   []string // each line's text after the code, its enhanced code kept
}

// add takes one line (without its line ending) and reports whether it was
// the last line of the reply.
func (p *replyParser) add(line string) (bool, error) {
	p.n++
	fail := func(format string, args ...any) (bool, error) {
		return false, &ReplyError{Line: p.n, Text: line, Reason: fmt.Sprintf(format, args...)}
	}
	if p.n > maxReplyLines {
		return fail("more than %d lines", maxReplyLines)
	}
	if len(line) > maxReplyLineSize {
		return fail("longer than %d bytes", maxReplyLineSize)
	}
	if i := strings.IndexByte(line, '\r'); i >= 0 {
		return fail("bare CR at byte %d (RFC 5321 §2.3.8: CR only before the LF that ends the line)", i+1)
	}
	if len(line) < 3 || !isDigit(line[0]) || !isDigit(line[1]) || !isDigit(line[2]) {
		return fail("does not begin with a three-digit code")
	}
	if line[0] < '2' || line[0] > '5' || line[1] > '5' {
		return fail("code %s is outside 200-559 (RFC 5321 §4.2)", line[:3])
	}
	code := int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if p.n > 1 && code != p.reply.Code {
		return fail("code %d differs from %d on the first line", code, p.reply.Code)
	}
	p.reply.Code = code
	last, text := true, ""
	if len(line) > 3 {
		switch line[3] {
		case ' ':
		case '-':
			last = false
		default:
			return fail("expected \" \" or \"-\" after the code, got %q", line[3])
		}
		text = line[4:]
	}
	p.raw = append(p.raw, text)
	if !last {
		return false, nil
	}
	// The reply's enhanced code is the last line's; the lines before keep
	// theirs as written (go-smtp writes it on the last line only, RFC 2034
	// §3 on every line), so that a reply reads back as it was sent.
	p.reply.Lines = p.raw
	if enh, rest, ok := cutEnhanced(text, line[0]); ok {
		p.reply.Enhanced = enh
		p.reply.Lines[len(p.raw)-1] = rest
	}
	return true, nil
}

// cutEnhanced takes an enhanced status code (RFC 3463 §2: class "."
// subject "." detail, subject and detail of 1 to 3 digits) off the front of
// text when its class is the first digit of the reply code.
func cutEnhanced(text string, class byte) (code, rest string, ok bool) {
	if len(text) < 5 || text[0] != class || text[1] != '.' {
		return "", text, false
	}
	i := 2
	for part := 0; part < 2; part++ {
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		if j == i || j-i > 3 {
			return "", text, false
		}
		i = j
		if part == 0 {
			if i >= len(text) || text[i] != '.' {
				return "", text, false
			}
			i++
		}
	}
	switch {
	case i == len(text):
		return text, "", true
	case text[i] == ' ':
		return text[:i], text[i+1:], true
	}
	return "", text, false
}

// parseEnhanced checks an enhanced status code written in a Rule.
func parseEnhanced(s string, code int) error {
	c, rest, ok := cutEnhanced(s, byte('0'+code/100))
	if !ok || rest != "" || c != s {
		return fmt.Errorf("enhanced code %q is not %d.X.Y (RFC 3463 §2)", s, code/100)
	}
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
