package zonedata_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"spflab/fakedns/zonedata"
	"spflab/spf"
)

func TestZoneDataErrors(t *testing.T) {
	data := `example.com:
  - A: 192.0.2.300
  - AAAA: 192.0.2.1
  - MX: mail.example.com
  - MX: [70000, mail.example.com]
  - FOO: bar
  - PTR: "a..b"
  - TIMEOUTS
  - [1, 2]
  - TXT: {a: b}
a..example.com:
  - A: 192.0.2.1
Example.com.:
  - A: 192.0.2.1
list.example.com: not a list
`
	_, err := zonedata.Parse([]byte(data), "zones.yml")
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`zones.yml:2: bad address "192.0.2.300" in A record of example.com`,
		`zones.yml:3: AAAA record of example.com needs an IPv6 address, not 192.0.2.1`,
		`zones.yml:4: MX record of example.com must be [priority, host]`,
		`zones.yml:5: MX priority "70000" of example.com is not a number from 0 to 65535`,
		`zones.yml:6: unknown record type "FOO" for example.com`,
		`zones.yml:7: PTR record of example.com: "a..b" is not a domain name: empty label`,
		`zones.yml:8: unknown entry "TIMEOUTS" for example.com`,
		`zones.yml:9: a record of example.com must be a one-key map`,
		`zones.yml:10: TXT record must be a string or a list of strings`,
		`zones.yml:11: "a..example.com" is not a domain name: empty label`,
		`zones.yml:13: domain "Example.com." is already listed at line 1`,
		`zones.yml:15: the records of list.example.com must be a list`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Errorf("%d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d: want prefix %q\n%v", i, w, err)
		}
	}
	for _, bad := range []string{"- just a list", "[unclosed", "a: [b, c]\n"} {
		if _, err := zonedata.Parse([]byte(bad), "bad.yml"); err == nil || !strings.HasPrefix(err.Error(), "bad.yml") {
			t.Errorf("zonedata.Parse(%q): error %v, want one naming bad.yml", bad, err)
		}
	}
	for _, empty := range []string{"", "# nothing\n", "~\n"} {
		if z, err := zonedata.Parse([]byte(empty), "empty.yml"); err != nil {
			t.Errorf("zonedata.Parse(%q): %v", empty, err)
		} else if len(z.Names()) != 0 {
			t.Errorf("zonedata.Parse(%q) has names %q", empty, z.Names())
		}
	}
}

func TestNames(t *testing.T) {
	long := strings.Repeat("a", 63)
	tests := []struct {
		name string
		err  string // "" for a good name
	}{
		{long + ".example", ""},
		{long + "a.example", "a label is longer than 63 octets"},
		{strings.Repeat(long+".", 3) + strings.Repeat("b", 61), ""}, // 253 octets: 255 on the wire
		{strings.Repeat(long+".", 3) + strings.Repeat("b", 62), "longer than 255 octets"},
		{"space name.example.com", ""}, // any octet (RFC 2181 §11)
		{"trailing.dot.", ""},
		{".lead", "starts with a dot"},
	}
	for _, tt := range tests {
		_, err := zonedata.Parse([]byte(`"`+tt.name+`": [A: 192.0.2.1]`), "n.yml")
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%q: error %v, want %q", tt.name, err, tt.err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"world.YAML": "example.com:\n  - TXT: v=spf1 -all\n",
		"world.zone": "@ 300 IN TXT \"v=spf1 ~all\"\n",
		"bad.yml":    "example.com:\n  - A: 192.0.2.300\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ file, want string }{
		{"world.YAML", "v=spf1 -all"},
		{"world.zone", "v=spf1 ~all"}, // BIND, origin example.com
	} {
		z, err := zonedata.LoadFile(filepath.Join(dir, tt.file), "example.com")
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if txt, err := z.LookupTXT(context.Background(), "example.com"); err != nil || !slices.Equal(txt, []string{tt.want}) {
			t.Errorf("%s: TXT example.com = %q, %v; want %q", tt.file, txt, err, tt.want)
		}
	}
	bad := filepath.Join(dir, "bad.yml")
	if _, err := zonedata.LoadFile(bad, ""); err == nil || !strings.HasPrefix(err.Error(), bad+":2: ") {
		t.Errorf("bad.yml: error %v, want one at %s:2", err, bad)
	}
	if _, err := zonedata.LoadFile(filepath.Join(dir, "none.yml"), ""); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: error %v", err)
	}
}

// TestSPFCopiedToTXT: the suite's SPF entries answer TXT lookups unless
// the domain lists a TXT entry, and NONE lists one that adds nothing.
func TestSPFCopiedToTXT(t *testing.T) {
	z, err := zonedata.Parse([]byte(`
copied.example:
  - SPF: v=spf1 -all
listed.example:
  - SPF: v=spf1 -all
  - TXT: other
none.example:
  - SPF: v=spf1 -all
  - TXT: NONE
`), "spf.yml")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{"copied.example": {"v=spf1 -all"}, "listed.example": {"other"}, "none.example": nil} {
		txt, err := z.LookupTXT(context.Background(), name)
		if !slices.Equal(txt, want) || (want == nil) != errors.Is(err, spf.ErrNoData) {
			t.Errorf("TXT %s = %q, %v; want %q", name, txt, err, want)
		}
	}
}

// errLine is how every error of Parse starts: the file and a line.
var errLine = regexp.MustCompile(`^fuzz\.yml:[0-9]+: `)

// FuzzParse checks that no input panics and that every error names the
// file and a line.
func FuzzParse(f *testing.F) {
	f.Add([]byte("example.com:\n  - TXT: v=spf1 -all\n  - MX: [10, mx.example.com]\n  - TIMEOUT\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := zonedata.Parse(data, "fuzz.yml")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !errLine.MatchString(line) && !strings.HasPrefix(line, "fuzz.yml: ") {
					t.Fatalf("error line %q does not name the file and line", line)
				}
			}
			return
		}
		ctx := context.Background()
		for _, name := range z.Names() {
			z.LookupTXT(ctx, name)
			z.LookupMX(ctx, name)
			z.LookupA(ctx, name)
		}
	})
}
