package fakedns_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"spflab/fakedns"
	"spflab/internal/budget/budgettest"
)

// raise is the end of every budget error.
const raise = " (SPFLAB_BUDGET=N multiplies every budget by N)"

// repeat is an io.Reader of head, then line repeated up to size bytes in
// all: a big zone file without the memory or the disk.
type repeat struct {
	head, line string
	size, n    int64
	lines      []byte
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n >= r.size {
		return 0, io.EOF
	}
	if r.lines == nil {
		r.lines = []byte(strings.Repeat(r.line, 4096/len(r.line)+1))
	}
	p = p[:min(int64(len(p)), r.size-r.n)]
	var n int
	if r.n < int64(len(r.head)) {
		n = copy(p, r.head[r.n:])
	} else {
		n = copy(p, r.lines[(r.n-int64(len(r.head)))%int64(len(r.line)):])
	}
	r.n += int64(n)
	return n, nil
}

func generateLines(n int, line string) string {
	return "$ORIGIN bomb.example.\n$TTL 300\n" + strings.Repeat(line+"\n", n)
}

// TestZoneFileBudgets: BIND zone files that made spflab run out of memory
// or time are refused at the line where they go over, for little memory.
func TestZoneFileBudgets(t *testing.T) {
	tests := []struct {
		name  string
		input func() io.Reader
		want  string
	}{
		// 200 lines of $GENERATE 0-65535: 13 million records from 13 KB
		// (OOM at 6.3 GB); refused at the second, before it makes any.
		{"$GENERATE", func() io.Reader {
			return strings.NewReader(generateLines(200, `$GENERATE 0-65535 h$ TXT "v=spf1 ip4:192.0.2.1 -all"`))
		}, "bomb.zone:4: over the budget of 100000 records for the zones of a file: this $GENERATE makes 65536 names, after 65536 records"},
		{"$generate, lower case, with a step", func() io.Reader {
			return strings.NewReader(generateLines(1, `$GENERATE 1-40000 h$ A 192.0.2.1`) + "$generate 0-131070/2 g$ A 192.0.2.1\n")
		}, "bomb.zone:4: over the budget of 100000 records for the zones of a file: this $GENERATE makes 65536 names, after 40000 records"},
		{"records", func() io.Reader {
			var b strings.Builder
			b.WriteString("$ORIGIN bomb.example.\n$TTL 300\n")
			for i := range 100_001 {
				fmt.Fprintf(&b, "h%d A 192.0.2.1\n", i)
			}
			return strings.NewReader(b.String())
		}, "bomb.zone:100003: over the budget of 100000 records for the zones of a file: the records up to this line hold more"},
		{"records of one name", func() io.Reader {
			return strings.NewReader(generateLines(1001, "@ MX 10 mx"))
		}, "bomb.zone:1003: over the budget of 1000 records for one name: bomb.example. has more"},
		{"TXT text", func() io.Reader { // 4,113 records of 4 KB
			s := strings.Repeat(`"`+strings.Repeat("t", 255)+`" `, 16)
			return strings.NewReader(generateLines(1, `$GENERATE 0-65535 h$ TXT `+s))
		}, "bomb.zone:3: over the budget of 16 MiB for the TXT strings of a file's zones: the records up to this line hold more"},
		{"17 MiB of comments", func() io.Reader {
			return &repeat{head: "$ORIGIN bomb.example.\n", line: "; a comment, nothing more\n", size: 17 << 20}
		}, "bomb.zone:645278: over the budget of 16 MiB for a zone file: the file goes on past it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each case measures its own subprocess
			budgettest.PeakBounded(t, 100<<20, func(t *testing.T) {
				_, err := fakedns.LoadZoneFile(tt.input(), "bomb.zone", "")
				if err == nil || err.Error() != tt.want+raise {
					t.Errorf("error\n%v\nwant\n%s", err, tt.want+raise)
				}
			})
		})
	}
}

// TestZoneFileWithinBudgets: up to the budgets, everything loads.
func TestZoneFileWithinBudgets(t *testing.T) {
	z, err := fakedns.LoadZoneFile(strings.NewReader(generateLines(1, "$GENERATE 1-65536 h$ A 192.0.2.1")+generateLines(1000, "@ MX 10 mx")), "ok.zone", "")
	if err != nil {
		t.Fatal(err)
	}
	if records, _ := z.Size(); records != 66536 {
		t.Errorf("%d records, want 66536", records)
	}
	if mx, err := z.LookupMX(context.Background(), "bomb.example"); len(mx) != 1000 || err != nil {
		t.Errorf("%d MX, %v", len(mx), err)
	}
}

// TestZoneFileErrorQuotesLittle: the parser's error quotes a cut token.
func TestZoneFileErrorQuotesLittle(t *testing.T) {
	_, err := fakedns.LoadZoneFile(strings.NewReader("$ORIGIN x.example.\n$TTL 60\nwww A "+strings.Repeat("9", 1<<20)+"\n"), "big.zone", "")
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if len(msg) > 400 || msg != `big.zone: dns: bad A A: "`+strings.Repeat("9", 64)+`"... (1048576 bytes) at line: 3:1048582` {
		t.Errorf("%d bytes of error: %.500s", len(msg), msg)
	}
}

// FuzzLoadZoneFile: no zone file panics or escapes the budgets, every error
// names the file, and a loaded zone answers.
func FuzzLoadZoneFile(f *testing.F) {
	f.Add([]byte("$ORIGIN euston.net.\n@ IN MX 10 mail\n@ IN TXT \"v=spf1 ip4:192.0.2.25 -all\"\nmail IN A 192.0.2.25\n"))
	f.Add([]byte(generateLines(3, "$GENERATE 0-65535 h$ A 192.0.2.1")))
	f.Add([]byte("$TTL 60\n@ SOA ns root 1 2 3 4 5\n@ TXT \"a\" \"b\"\n$INCLUDE /etc/passwd\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := fakedns.LoadZoneFile(strings.NewReader(string(data)), "fuzz.zone", "example.com")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.zone") || len(err.Error()) > 2000 {
				t.Fatalf("error %.300q does not name the file, or is long", err)
			}
			return
		}
		records, _ := z.Size()
		if records > 100_000 {
			t.Fatalf("%d records", records)
		}
		ctx := context.Background()
		for _, name := range z.Names() {
			z.LookupTXT(ctx, name)
			z.LookupMX(ctx, name)
		}
	})
}
