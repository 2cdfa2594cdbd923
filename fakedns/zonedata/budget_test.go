package zonedata_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"spflab/fakedns/zonedata"
	"spflab/internal/budget/budgettest"
)

// raise is the end of every budget error.
const raise = " (SPFLAB_BUDGET=N multiplies every budget by N)"

// txtBomb is a zonedata file with a 4 KB TXT record aliased 999 times and
// that list aliased by 1,000 names: 4 GB of zone from 37 KB. The 257th
// *txt (line 259) takes the aliases past 1 MiB of text.
func txtBomb() string {
	var b strings.Builder
	b.WriteString("big.example: &zone\n  - TXT: &txt " + strings.Repeat("x", 4096) + "\n")
	for range 999 {
		b.WriteString("  - TXT: *txt\n")
	}
	for i := range 1000 {
		fmt.Fprintf(&b, "n%d.example: *zone\n", i)
	}
	return b.String()
}

// TestZoneDataBudgets: zonedata files that made spflab run out of memory
// are refused at the line where they go over, for little memory.
func TestZoneDataBudgets(t *testing.T) {
	var names strings.Builder
	for i := range 100_001 {
		fmt.Fprintf(&names, "n%d:\n", i)
	}
	tests := []struct {
		name, data, want string
	}{
		{"aliased TXT in aliased zones", txtBomb(),
			"bomb.yml:259: over the budget of 1 MiB for the text YAML aliases repeat in a document: with alias *txt, the aliases so far repeat 1052672 bytes of text"},
		{"2 MiB", "a.example: [TXT: x]\n" + strings.Repeat("# a comment\n", 2<<20/12),
			"bomb.yml:87381: over the budget of 1 MiB for a zonedata file: the file goes on past it"},
		{"names", names.String(),
			"bomb.yml:100001: over the budget of 100000 records for the zones of a file: the records up to this one hold more"},
		{"records of one name", "a.example:\n" + strings.Repeat("  - A: 192.0.2.1\n", 1001),
			"bomb.yml:1002: over the budget of 1000 records for one name: a.example lists 1001"},
		{"nesting", "a.example: [TXT: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "]\n",
			"bomb.yml:1: over the budget of 64 levels for the nesting of a YAML document: this node is 65 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each case measures its own subprocess
			budgettest.PeakBounded(t, 100<<20, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "bomb.yml")
				if err := os.WriteFile(path, []byte(tt.data), 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := zonedata.LoadFile(path, "")
				if want := path[:len(path)-len("bomb.yml")] + tt.want + raise; err == nil || err.Error() != want {
					t.Errorf("error\n%.500v\nwant\n%s", err, want)
				}
			})
		})
	}
}

// TestZoneDataQuotesLittle: a huge bad value is quoted cut.
func TestZoneDataQuotesLittle(t *testing.T) {
	_, err := zonedata.Parse([]byte("a.example: [A: "+strings.Repeat("9", 1<<19)+"]\n"), "z.yml")
	want := `z.yml:1: bad address "` + strings.Repeat("9", 64) + `"... (524288 bytes) in A record of a.example`
	if err == nil || err.Error() != want {
		t.Errorf("error %.300v, want %s", err, want)
	}
}
