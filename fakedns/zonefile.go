package fakedns

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"spflab/internal/budget"
)

// LoadZoneFile reads a zone from a master file (RFC 1035 §5) with $ORIGIN,
// $TTL and $GENERATE; origin is the origin the file starts with ("" for
// the root). $INCLUDE is refused. file names the source in errors, which
// give its line and column.
//
// Reading stays within budgets, each error naming the line where the file
// went over: the size of a zone file, and the records (the names each
// $GENERATE makes counted at its line, before any is made) and TXT text
// the zone holds.
func LoadZoneFile(r io.Reader, file, origin string) (*Zone, error) {
	in := &zoneInput{r: budget.NewReader(r, file, budget.ZoneFile), file: file, start: true,
		maxRecords: budget.ZoneRecords.Limit(), maxText: budget.ZoneText.Limit(), maxPerName: budget.NameRecords.Limit()}
	zp := dns.NewZoneParser(in, dns.Fqdn(origin), file)
	z := NewZone()
	for rr, ok := zp.Next(); ok && in.err == nil; rr, ok = zp.Next() {
		if in.add(rr) {
			z.addRR(rr)
		}
	}
	if in.err != nil {
		return nil, in.err
	}
	if err := zp.Err(); err != nil {
		return nil, shorten(err)
	}
	return z, nil
}

// zoneInput is the zone file as the zone parser reads it, byte by byte,
// within the budgets.
type zoneInput struct {
	r       *budget.Reader
	file    string
	start   bool // the next byte starts a line
	line    int  // the line of the last byte read
	records int64
	text    int64
	perName map[string]int64 // records by owner name
	err     error            // the first budget gone over

	maxRecords, maxText, maxPerName int64
}

// ReadByte reads the next byte; at the start of a line, a $GENERATE
// directive's names are counted against the records budget first.
func (in *zoneInput) ReadByte() (byte, error) {
	if in.err != nil {
		return 0, in.err
	}
	if in.start {
		in.generate()
		if in.err != nil {
			return 0, in.err
		}
	}
	in.line = in.r.Line()
	c, err := in.r.ReadByte()
	if err != nil {
		if e := in.r.Err(); e != nil {
			in.err = e
		}
		return 0, err
	}
	in.start = c == '\n'
	return c, nil
}

// Read makes zoneInput an io.Reader; the zone parser uses ReadByte.
func (in *zoneInput) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c, err := in.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = c
	return 1, nil
}

// generate counts the names of a $GENERATE directive that starts the next
// line (as the zone parser sees directives: at the very start of a line).
func (in *zoneInput) generate() {
	const directive = "$GENERATE"
	line := in.r.Peek(256)
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if len(line) <= len(directive) || !strings.EqualFold(string(line[:len(directive)]), directive) {
		return
	}
	fields := strings.Fields(string(line[len(directive):]))
	if len(fields) == 0 {
		return
	}
	n, ok := generateNames(fields[0])
	if ok && in.records+n > in.maxRecords {
		in.err = &budget.Error{File: in.file, Line: in.r.Line(), Kind: budget.ZoneRecords,
			Detail: fmt.Sprintf("this $GENERATE makes %d names, after %d records", n, in.records)}
	}
}

// generateNames returns how many names a $GENERATE range start-stop[/step]
// makes; false when the zone parser will refuse the range.
func generateNames(rng string) (int64, bool) {
	step := int64(1)
	if r, s, ok := strings.Cut(rng, "/"); ok {
		var err error
		if step, err = strconv.ParseInt(s, 10, 64); err != nil || step <= 0 {
			return 0, false
		}
		rng = r
	}
	a, b, ok := strings.Cut(rng, "-")
	start, err1 := strconv.ParseInt(a, 10, 64)
	stop, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || start < 0 || stop < start {
		return 0, false
	}
	return (stop-start)/step + 1, true
}

// add counts a record against the budgets; false when it goes over.
func (in *zoneInput) add(rr dns.RR) bool {
	if in.perName == nil {
		in.perName = make(map[string]int64)
	}
	owner := strings.ToLower(rr.Header().Name)
	in.perName[owner]++
	in.records++
	in.text += int64(txtLen(rr))
	detail := "the records up to this line hold more"
	kind := budget.ZoneRecords
	switch {
	case in.records > in.maxRecords:
	case in.text > in.maxText:
		kind = budget.ZoneText
	case in.perName[owner] > in.maxPerName:
		kind, detail = budget.NameRecords, fmt.Sprintf("%s has more", owner)
	default:
		return true
	}
	in.err = &budget.Error{File: in.file, Line: in.line, Kind: kind, Detail: detail}
	return false
}

// txtLen returns the octets of a TXT or SPF record's strings, 0 for
// another type.
func txtLen(rr dns.RR) int {
	var txt []string
	switch rr := rr.(type) {
	case *dns.TXT:
		txt = rr.Txt
	case *dns.SPF:
		txt = rr.Txt
	}
	n := 0
	for _, s := range txt {
		n += len(s)
	}
	return n
}

// Size returns how many records the zone holds (a name without any
// counting as one) and the octets of their TXT and SPF strings: what
// loaders count against their budgets.
func (z *Zone) Size() (records, txtOctets int) {
	for _, n := range z.nodes {
		records += max(len(n.rrs), 1)
		for _, rr := range n.rrs {
			txtOctets += txtLen(rr)
		}
	}
	return records, txtOctets
}

// shorten cuts the token a zone parser's error quotes ("…: \"token\" at
// line: L:C") to 64 bytes, so that a huge token does not make a huge
// message.
func shorten(err error) error {
	msg := err.Error()
	i := strings.LastIndex(msg, " at line: ")
	if i < 0 || i < 200 {
		return err
	}
	head := msg[:i]
	start := strings.Index(head, `: "`)
	if start < 0 {
		return err
	}
	token, uerr := strconv.Unquote(head[start+2:])
	if uerr != nil {
		return err
	}
	return errors.New(head[:start+2] + budget.Quote(token) + msg[i:])
}
