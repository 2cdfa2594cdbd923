package draft

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"unsafe"

	"spflab/internal/budget"
)

// Sender is one row of a senders file: a client that sent mail, as a
// receiver saw it.
type Sender struct {
	Line     int        `json:"line"`      // 1-based line number in the file
	IP       netip.Addr `json:"ip"`        // the client address
	MailFrom string     `json:"mail_from"` // the MAIL FROM address, "" for the null sender
	HELO     string     `json:"helo"`      // the HELO or EHLO name
	// Count is the number of messages the row stands for, from a DMARC
	// aggregate report; 0 in a senders file (one row, one sender).
	Count int `json:"count,omitempty"`
	// Source names where the row came from when it is not a line of a
	// senders file: a report's file and record.
	Source string `json:"source,omitempty"`
}

// RowError is a line of a senders file that is not a usable row. Reading
// goes on after it.
type RowError struct {
	Line   int    `json:"line"` // 1-based line number
	Row    string `json:"row"`  // the line as read, without its newline, cut to 200 bytes
	Reason string `json:"reason"`
}

func (e *RowError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Reason }

// maxRowText bounds RowError.Row.
const maxRowText = 200

// maxLine bounds a line of a senders file; a longer one is a bad row.
const maxLine = 16 << 10

// Columns of a row.
const (
	colIP = iota
	colSender
	colHELO
	numCols
)

// Format is how the rows of a senders file are written: the field
// separator and which field holds each column. DetectFormat finds it from
// the first line.
type Format struct {
	Comma byte // ',', '\t' or ';'
	// Header is true when the first line names the columns.
	Header bool
	cols   [numCols]int // field index of ip, sender, helo; -1 when absent
	fields int          // fields a row has when there is a header, else 0
}

// DefaultFormat is CSV with the columns ip, sender, helo.
var DefaultFormat = Format{Comma: ',', cols: [numCols]int{0, 1, 2}}

// headerNames maps column names (lower case, without "-", "_" and spaces)
// to columns.
var headerNames = map[string]int{
	"ip": colIP, "clientip": colIP, "ipaddress": colIP, "addr": colIP, "address": colIP, "client": colIP, "clientaddress": colIP,
	"sender": colSender, "mailfrom": colSender, "envelopefrom": colSender, "from": colSender, "returnpath": colSender, "smtpmailfrom": colSender,
	"helo": colHELO, "ehlo": colHELO, "heloname": colHELO, "smtphelo": colHELO,
}

// DetectFormat reads the format of a senders file from its first line that
// is neither blank nor a "#" comment: the separator is a tab, a comma or a
// semicolon, whichever comes first outside quotes (a comma when there is
// none). The line is a header when its first field is not an IP address
// and one of its fields names the ip column ("ip", "client_ip",
// "client-ip", ...); the other names recognized are sender, mail_from,
// envelope_from, from, return_path and helo, ehlo, helo_name. Columns a
// header does not recognize are ignored.
//
// It returns the format and whether line is the header.
func DetectFormat(line []byte) (Format, bool) {
	f := DefaultFormat
	line = trimEOL(line)
	f.Comma = detectComma(line)
	fields, err := splitFields(line, f.Comma, nil)
	if err != "" || len(fields) == 0 {
		return f, false
	}
	if _, ok := parseIP(fields[0]); ok {
		return f, false
	}
	cols := [numCols]int{-1, -1, -1}
	for i, name := range fields {
		key := strings.Map(func(r rune) rune {
			switch r {
			case '-', '_', ' ':
				return -1
			}
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, string(name))
		if c, ok := headerNames[key]; ok && cols[c] < 0 {
			cols[c] = i
		}
	}
	if cols[colIP] < 0 {
		return f, false
	}
	f.Header, f.cols, f.fields = true, cols, len(fields)
	return f, true
}

func detectComma(line []byte) byte {
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\t' || c == ',' || c == ';':
			return c
		}
	}
	return ','
}

// skipLine reports whether line is blank or a "#" comment.
func skipLine(line []byte) bool {
	line = bytes.TrimLeft(line, " \t")
	return len(line) == 0 || line[0] == '#'
}

func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line
}

// ParseRow parses one line of a senders file (without or with its line
// end) in format f. ok is false for a blank line or a comment, which are
// not rows. A line that is not a usable row is a *RowError.
//
// A row has an IP address (IPv4, IPv6, or either in [brackets]), the MAIL
// FROM address (with or without <angle brackets>; empty or "<>" for the
// null sender) and the HELO name; the sender and the HELO name may be
// missing, not both. Fields may be quoted as in RFC 4180, on one line;
// spaces around unquoted fields are ignored.
func ParseRow(line []byte, lineNo int, f *Format) (s Sender, ok bool, err error) {
	var buf [8][]byte
	return parseRow(line, lineNo, f, buf[:0])
}

func parseRow(line []byte, lineNo int, f *Format, buf [][]byte) (Sender, bool, error) {
	line = trimEOL(line)
	if skipLine(line) {
		return Sender{}, false, nil
	}
	bad := func(format string, args ...any) (Sender, bool, error) {
		return Sender{}, true, &RowError{Line: lineNo, Row: cut(line), Reason: fmt.Sprintf(format, args...)}
	}
	if len(line) > maxLine {
		return bad("longer than %d bytes", maxLine)
	}
	fields, reason := splitFields(line, f.Comma, buf)
	if reason != "" {
		return bad("%s", reason)
	}
	switch {
	case f.Header && len(fields) != f.fields:
		return bad("%d fields; the header has %d", len(fields), f.fields)
	case !f.Header && len(fields) > numCols:
		return bad("%d fields; want ip, sender, helo", len(fields))
	}
	field := func(c int) []byte {
		if i := f.cols[c]; i >= 0 && i < len(fields) {
			return fields[i]
		}
		return nil
	}
	ipText := field(colIP)
	ip, ok := parseIP(ipText)
	if !ok {
		if len(ipText) == 0 {
			return bad("no IP address")
		}
		return bad("%s is not an IP address", strconv.Quote(string(ipText)))
	}
	sender := field(colSender)
	if n := len(sender); n >= 2 && sender[0] == '<' && sender[n-1] == '>' {
		sender = sender[1 : n-1]
	}
	helo := field(colHELO)
	if len(sender) == 0 && len(helo) == 0 {
		return bad("neither a sender nor a HELO name")
	}
	if i := badNameByte(sender); i >= 0 {
		return bad("sender %s: %s", strconv.Quote(string(sender)), byteReason(sender[i]))
	}
	if i := badNameByte(helo); i >= 0 {
		return bad("HELO name %s: %s", strconv.Quote(string(helo)), byteReason(helo[i]))
	}
	// One string holds both names.
	both := make([]byte, 0, 128)
	both = append(append(both, sender...), helo...)
	str := string(both)
	return Sender{Line: lineNo, IP: ip, MailFrom: str[:len(sender)], HELO: str[len(sender):]}, true, nil
}

func cut(line []byte) string {
	if len(line) > maxRowText {
		return string(line[:maxRowText]) + "..."
	}
	return string(line)
}

// parseIP parses an IPv4 or IPv6 address, possibly in brackets, without
// a zone.
func parseIP(b []byte) (netip.Addr, bool) {
	if n := len(b); n >= 2 && b[0] == '[' && b[n-1] == ']' {
		b = b[1 : n-1]
	}
	if len(b) == 0 || len(b) > 45 {
		return netip.Addr{}, false
	}
	// The string does not outlive the call: an Addr keeps no reference to
	// it (a zone is copied), and the error is dropped.
	ip, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// badNameByte returns the index of the first byte that cannot be in an
// address or a HELO name as a receiver logs them (a space, a control
// character), or -1.
func badNameByte(b []byte) int {
	for i, c := range b {
		if c <= ' ' || c == 0x7f {
			return i
		}
	}
	return -1
}

func byteReason(c byte) string {
	if c == ' ' {
		return "contains a space"
	}
	return fmt.Sprintf("contains the control character %#02x", c)
}

// splitFields splits line at comma, outside RFC 4180 quotes, appending to
// buf. Unquoted fields are trimmed of spaces; quoted ones are kept as
// written between the quotes, with "" meaning one quote. The fields share
// line's storage except for quoted fields with "" in them.
func splitFields(line []byte, comma byte, buf [][]byte) ([][]byte, string) {
	fields := buf[:0]
	for i := 0; ; {
		// Skip spaces before the field.
		for i < len(line) && line[i] == ' ' && comma != ' ' {
			i++
		}
		if i < len(line) && line[i] == '"' {
			field, next, reason := quotedField(line, i, comma)
			if reason != "" {
				return nil, reason
			}
			fields = append(fields, field)
			if next >= len(line) {
				return fields, ""
			}
			i = next + 1 // past the comma
			continue
		}
		end := bytes.IndexByte(line[i:], comma)
		if end < 0 {
			end = len(line)
		} else {
			end += i
		}
		field := bytes.TrimRight(line[i:end], " ")
		if bytes.IndexByte(field, '"') >= 0 {
			return nil, fmt.Sprintf("field %d: a quote inside an unquoted field", len(fields)+1)
		}
		fields = append(fields, field)
		if end == len(line) {
			return fields, ""
		}
		i = end + 1
	}
}

// quotedField reads the quoted field starting at line[start] == '"'. It
// returns the field, the index of the comma after it (or len(line)), or
// why the field is malformed.
func quotedField(line []byte, start int, comma byte) ([]byte, int, string) {
	var dec []byte // the field with "" decoded, once one was seen
	from := start + 1
	for i := start + 1; i < len(line); i++ {
		if line[i] != '"' {
			continue
		}
		if i+1 < len(line) && line[i+1] == '"' {
			dec = append(dec, line[from:i+1]...)
			i++
			from = i + 1
			continue
		}
		field := line[start+1 : i]
		if dec != nil {
			field = append(dec, line[from:i]...)
		}
		j := i + 1
		for j < len(line) && line[j] == ' ' && comma != ' ' {
			j++
		}
		if j < len(line) && line[j] != comma {
			return nil, 0, fmt.Sprintf("column %d: text after a closing quote", j+1)
		}
		return field, j, ""
	}
	return nil, 0, fmt.Sprintf("column %d: a quote that is not closed on this line", start+1)
}

// Reader reads the rows of a senders file one at a time, detecting its
// format from the first line. Compare reads files itself, in parallel;
// Reader is for programs that want the rows.
type Reader struct {
	br     *bufio.Reader
	line   int
	format *Format
	buf    [][]byte
}

// NewReader returns a Reader of r. It reads within the budget of a
// senders file (package internal/budget): past it, Next returns an error
// naming the line.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(withinBudget(r), 64<<10), buf: make([][]byte, 0, 8)}
}

// withinBudget reads r within the budget of a senders file.
func withinBudget(r io.Reader) io.Reader {
	return budget.NewReader(r, "", budget.SendersFile)
}

// Format returns the format found, nil before the first row.
func (r *Reader) Format() *Format { return r.format }

// Next returns the next row. A line that is not a usable row is returned
// as a *RowError, and the next call reads on; the end of the input is
// io.EOF; any other error is the reader's.
func (r *Reader) Next() (Sender, error) {
	for {
		line, err := readLine(r.br)
		if len(line) == 0 && err != nil {
			return Sender{}, err
		}
		r.line++
		if line == nil { // longer than maxLine, skipped
			return Sender{}, &RowError{Line: r.line, Reason: fmt.Sprintf("longer than %d bytes", maxLine)}
		}
		if r.format == nil {
			if skipLine(trimEOL(line)) {
				continue
			}
			f, header := DetectFormat(line)
			r.format = &f
			if header {
				continue
			}
		}
		s, ok, rerr := parseRow(line, r.line, r.format, r.buf)
		if rerr != nil || ok {
			return s, rerr
		}
	}
}

// readLine returns the next line with its newline; nil with a nil error
// for a line longer than maxLine, which it skips.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) && len(line) <= maxLine+2 {
		return line, err
	}
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = br.ReadSlice('\n')
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	return nil, nil
}
