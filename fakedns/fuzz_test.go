package fakedns

import (
	"regexp"
	"strings"
	"testing"
)

// errLine is how every error of ParseZoneData starts: the file and a line.
var errLine = regexp.MustCompile(`^fuzz\.yml:[0-9]+: `)

// FuzzParseZoneData checks that no input panics and that every error names
// the file and a line.
func FuzzParseZoneData(f *testing.F) {
	f.Add([]byte(testZoneData))
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := ParseZoneData(data, "fuzz.yml")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !errLine.MatchString(line) && !strings.HasPrefix(line, "fuzz.yml: ") {
					t.Fatalf("error line %q does not name the file and line", line)
				}
			}
			return
		}
		for _, name := range z.Names() {
			lookup(z, "TXT", name)
			lookup(z, "MX", name)
			lookup(z, "A", name)
		}
	})
}
