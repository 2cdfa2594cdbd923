package dkim

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// parseTags reads a tag-list (RFC 6376 §3.2): "name=value" pairs separated
// by ";", white space around names and values dropped. It keeps what it
// could read when it returns an error: a pair without "=", an empty or
// repeated name.
func parseTags(s string) (map[string]string, error) {
	tags := make(map[string]string)
	var err error
	fail := func(reason string) {
		if err == nil {
			err = errors.New(reason)
		}
	}
	for _, pair := range strings.Split(s, ";") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, value, ok := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		switch _, dup := tags[name]; {
		case !ok:
			fail("the tag " + strconv.Quote(strings.TrimSpace(pair)) + ` has no "="`)
		case name == "":
			fail("a tag has no name")
		case dup:
			fail("the tag " + strconv.Quote(name) + " appears twice")
		default:
			tags[name] = strings.TrimSpace(value)
		}
	}
	return tags, err
}

// stripSpace removes the folding white space a tag value may hold
// (RFC 6376 §3.2).
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}

// headerList splits the h= tag into field names (RFC 6376 §3.5).
func headerList(h string) []string {
	var names []string
	for _, n := range strings.Split(stripSpace(h), ":") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names
}

// signatureFields returns the values of a message's DKIM-Signature header
// fields, unfolded, in order. The message has CRLF line ends.
func signatureFields(msg []byte) []string {
	var fields []string
	in := false // the line continues a DKIM-Signature field
	for len(msg) > 0 {
		line := msg
		if i := bytes.Index(msg, crlf); i >= 0 {
			line, msg = msg[:i], msg[i+2:]
		} else {
			msg = nil
		}
		switch {
		case len(line) == 0:
			return fields // the end of the header
		case line[0] == ' ' || line[0] == '\t':
			if in {
				fields[len(fields)-1] += string(line)
			}
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		in = ok && strings.EqualFold(string(bytes.TrimSpace(name)), "DKIM-Signature")
		if in {
			fields = append(fields, string(value))
		}
	}
	return fields
}
