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
