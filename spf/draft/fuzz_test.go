package draft_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"spflab/fakedns"
	"spflab/spf"
	"spflab/spf/draft"
)

// FuzzParseRow: any line in any format parses to a row, a skip or a
// RowError naming the line, never a panic; a row has an IP address and
// names without spaces or control characters.
func FuzzParseRow(f *testing.F) {
	for _, seed := range []string{
		"192.0.2.1,alice@example.com,mail.example.com\n",
		"[2001:db8::1]\t<bob@example.com>\tmx.example.com\r\n",
		`"192.0.2.1","""odd,one""@example.com",h.example.com`,
		"192.0.2.1;<>;mail.example.com",
		"# comment",
		`192.0.2.1,"unclosed`,
		"ip,sender,helo",
	} {
		f.Add([]byte(seed), []byte("date,client_ip,mail_from,helo"))
	}
	f.Fuzz(func(t *testing.T, line, header []byte) {
		formats := []draft.Format{draft.DefaultFormat}
		if fm, _ := draft.DetectFormat(header); true {
			formats = append(formats, fm)
		}
		if fm, _ := draft.DetectFormat(line); true {
			formats = append(formats, fm)
		}
		for _, fm := range formats {
			s, ok, err := draft.ParseRow(line, 42, &fm)
			if err != nil {
				var re *draft.RowError
				if !errors.As(err, &re) || re.Line != 42 || re.Reason == "" || len(re.Row) > 203 {
					t.Fatalf("error %#v", err)
				}
				continue
			}
			if !ok {
				continue
			}
			if !s.IP.IsValid() || s.IP.Zone() != "" || s.Line != 42 {
				t.Fatalf("row %+v", s)
			}
			if s.MailFrom == "" && s.HELO == "" {
				t.Fatalf("row without sender and HELO: %+v", s)
			}
			if strings.ContainsFunc(s.MailFrom+s.HELO, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				t.Fatalf("row with a space or control character: %+v", s)
			}
		}
	})
}

// FuzzSendersFile: the parallel comparison and the Reader agree on every
// file: the same rows and the same bad lines.
func FuzzSendersFile(f *testing.F) {
	for _, seed := range []string{
		"ip,sender,helo\n192.0.2.1,a@example.com,h.example.com\nbad\n",
		"# c\n\n192.0.2.1\ta@example.com\n\"x\n2001:db8::1\t<>\th\n",
		"helo;ip\nh.example.com;192.0.2.7\n;;\n",
	} {
		f.Add([]byte(seed))
	}
	c := &draft.Compare{
		Published: &spf.Checker{Resolver: fakedns.NewZone()},
		Draft:     &spf.Checker{Resolver: fakedns.NewZone()},
		Workers:   2,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var rows int
		var bad []int
		r := draft.NewReader(bytes.NewReader(data))
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			var re *draft.RowError
			if errors.As(err, &re) {
				bad = append(bad, re.Line)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			rows++
		}
		var seen []int
		c.OnBadRow = func(e *draft.RowError) { seen = append(seen, e.Line) }
		rep, err := c.Run(context.Background(), bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != rows || rep.BadRows != len(bad) || len(seen) != len(bad) {
			t.Fatalf("Compare: %d rows, bad %v; Reader: %d rows, bad %v", rep.Rows, seen, rows, bad)
		}
		for i := range bad {
			if seen[i] != bad[i] {
				t.Fatalf("bad lines %v, Reader %v", seen, bad)
			}
		}
	})
}
