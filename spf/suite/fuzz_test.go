package suite

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"spflab/spf"
)

var errLine = regexp.MustCompile(`^fuzz\.yml:([0-9]+:)? `)

// FuzzParse checks that no input panics, that every error names the file
// (and the line, for a problem in the YAML) and that a parsed suite runs.
func FuzzParse(f *testing.F) {
	f.Add([]byte(smallSuite))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data), "fuzz.yml")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !errLine.MatchString(line) {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		if s.Count() <= 50 {
			s.Run(context.Background(), spf.Checker{})
		}
	})
}

// FuzzReceivedSPF checks that no field value panics the parser, that an
// error names a column inside the value, and that a parsed value agrees
// with itself.
func FuzzReceivedSPF(f *testing.F) {
	f.Add(`Pass (receiver.com: domain of example.co.uk designates 1.2.3.5 as permitted sender) client-ip=1.2.3.5; envelope-from="lyme.eater@example.co.uk"; helo=mail.example.net; receiver=receiver.com; mechanism="exists:%{l}.%{d}.%{i}.spf.example.net"; identity=mailfrom`)
	f.Add(`Received-SPF: fail (a (nested) \) comment) problem="a \"quoted\" text";`)
	f.Fuzz(func(t *testing.T, value string) {
		h, err := parseReceivedSPF(value)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "column ") {
				t.Fatalf("error %q names no column", err)
			}
			return
		}
		if h.result == "" || len(h.keys) != len(h.pairs) {
			t.Fatalf("parsed %q as %+v", value, h)
		}
		if diff := compareReceivedSPF(value, value); diff != "" {
			t.Fatalf("%q differs from itself: %s", value, diff)
		}
	})
}
