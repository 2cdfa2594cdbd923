package draft_test

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/livedns"
	"spflab/spf"
	"spflab/spf/draft"
)

// worldZone is the DNS the comparisons run against.
const worldZone = `
example.com:
  - TXT: v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all
  - TXT: google-site-verification=abc
_spf.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/24 ~all
other.org:
  - TXT: v=spf1 ip4:203.0.113.0/24 -all
mail.example.com:
  - A: 192.0.2.25
`

// draftRecord narrows example.com's own range to 192.0.2.0/25 and softens
// -all to ~all.
const draftRecord = "v=spf1 ip4:192.0.2.0/25 include:_spf.example.net ~all"

// A rowClass is a kind of sender with the results the published record
// and the draft give it, by the records above.
type rowClass struct {
	row        func(i int) string
	pub, draft spf.Result
}

var rowClasses = []rowClass{
	// In 192.0.2.0/25: ip4 of both.
	{func(i int) string { return fmt.Sprintf("192.0.2.%d,user%d@example.com,mail.example.com", i%128, i) }, spf.Pass, spf.Pass},
	// In 192.0.2.128/25: out of the draft's range, not in the include: ~all.
	{func(i int) string { return fmt.Sprintf("192.0.2.%d,user%d@example.com,mail.example.com", 128+i%128, i) }, spf.Pass, spf.Softfail},
	// The include's range: pass either way.
	{func(i int) string { return fmt.Sprintf("198.51.100.%d,<news%d@example.com>,out.example.net", i%256, i) }, spf.Pass, spf.Pass},
	// Anywhere else: -all, then ~all.
	{func(i int) string { return fmt.Sprintf("203.0.113.%d,spoof%d@example.com,mail.example.org", i%256, i) }, spf.Fail, spf.Softfail},
	// Another domain: untouched by the draft.
	{func(i int) string { return fmt.Sprintf("203.0.113.%d,a%d@other.org,mx.other.org", i%256, i) }, spf.Pass, spf.Pass},
	{func(i int) string { return fmt.Sprintf("192.0.2.%d,a%d@other.org,mx.other.org", i%256, i) }, spf.Fail, spf.Fail},
	// A bounce: the HELO identity, which has no record.
	{func(i int) string { return fmt.Sprintf("192.0.2.%d,<>,mail.example.com", i%256) }, spf.None, spf.None},
}

// sendersFile writes n rows cycling through rowClasses, with a header
// and a bad row every badEvery rows, and returns its path, the expected
// counts of each (published, draft) pair, and the lines of the bad rows.
func sendersFile(t testing.TB, n, badEvery int, comma string) (string, map[[2]spf.Result]int, []int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "senders.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# generated\nclient_ip%ssender%shelo\n", comma, comma)
	line := 2
	want := map[[2]spf.Result]int{}
	var bad []int
	for i := range n {
		if badEvery > 0 && i%badEvery == badEvery-1 {
			line++
			bad = append(bad, line)
			fmt.Fprintf(w, "10.0.0.%d.5%sx@example.com%sh\n", i%256, comma, comma)
		}
		c := rowClasses[i%len(rowClasses)]
		line++
		fmt.Fprintln(w, strings.ReplaceAll(c.row(i), ",", comma))
		want[[2]spf.Result{c.pub, c.draft}]++
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, want, bad
}

func worldResolver(t testing.TB) *fakedns.Zone {
	t.Helper()
	z, err := zonedata.Parse([]byte(worldZone), "world.yml")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// newCompare returns a comparison of draftRecord for example.com over base.
func newCompare(base spf.Resolver) *draft.Compare {
	cache := &spf.RecordCache{}
	return &draft.Compare{
		Published: &spf.Checker{Resolver: base, Records: cache},
		Draft: &spf.Checker{Resolver: fakedns.WithDrafts(base, map[string]string{"example.com": draftRecord}),
			Records: cache},
	}
}

// checkReport compares a report with the expected counts.
func checkReport(t *testing.T, rep *draft.Report, want map[[2]spf.Result]int, bad []int) {
	t.Helper()
	wantRows, wantChanged := 0, 0
	wantPub, wantDraft := map[spf.Result]int{}, map[spf.Result]int{}
	for pair, n := range want {
		wantRows += n
		wantPub[pair[0]] += n
		wantDraft[pair[1]] += n
		if pair[0] != pair[1] {
			wantChanged += n
		}
	}
	if rep.Rows != wantRows || rep.Changed != wantChanged || rep.BadRows != len(bad) {
		t.Errorf("rows %d changed %d bad %d, want %d %d %d", rep.Rows, rep.Changed, rep.BadRows, wantRows, wantChanged, len(bad))
	}
	for _, m := range []struct {
		name      string
		got, want map[spf.Result]int
	}{{"published", rep.Published, wantPub}, {"draft", rep.Draft, wantDraft}} {
		for r, n := range m.want {
			if m.got[r] != n {
				t.Errorf("%s %s = %d, want %d", m.name, r, m.got[r], n)
			}
		}
		if len(m.got) != len(m.want) {
			t.Errorf("%s totals %v, want %v", m.name, m.got, m.want)
		}
	}
	var changes int
	for pair, n := range want {
		if pair[0] != pair[1] {
			changes++
			i := slices.IndexFunc(rep.Changes, func(c draft.Change) bool { return c.From == pair[0] && c.To == pair[1] })
			if i < 0 || rep.Changes[i].Count != n {
				t.Errorf("change %s→%s: got %+v, want count %d", pair[0], pair[1], rep.Changes, n)
			}
		}
	}
	if len(rep.Changes) != changes {
		t.Errorf("%d kinds of change, want %d", len(rep.Changes), changes)
	}
	if !slices.IsSortedFunc(rep.Changes, func(a, b draft.Change) int {
		if (a.From == spf.Pass) != (b.From == spf.Pass) {
			if a.From == spf.Pass {
				return -1
			}
			return 1
		}
		return b.Count - a.Count
	}) {
		t.Errorf("changes not from pass first, then by count: %+v", rep.Changes)
	}
}

func TestCompareInMemory(t *testing.T) {
	for _, comma := range []string{",", "\t"} {
		t.Run(fmt.Sprintf("comma %q", comma), func(t *testing.T) {
			path, want, bad := sendersFile(t, 5000, 997, comma)
			c := newCompare(worldResolver(t))
			c.Workers, c.Examples = 4, 3
			var badLines, changedLines []int
			c.OnBadRow = func(e *draft.RowError) { badLines = append(badLines, e.Line) }
			c.OnChange = func(r draft.Row) { changedLines = append(changedLines, r.Line) }
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rep, err := c.Run(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep, want, bad)
			if !slices.Equal(badLines, bad) {
				t.Errorf("bad rows reported at lines %v, want %v", badLines, bad)
			}
			if len(changedLines) != rep.Changed || !slices.IsSorted(changedLines) {
				t.Errorf("OnChange saw %d rows (sorted %v), want %d in file order", len(changedLines), slices.IsSorted(changedLines), rep.Changed)
			}
			for _, ch := range rep.Changes {
				if len(ch.Rows) != 3 {
					t.Errorf("%s→%s keeps %d rows, want 3", ch.From, ch.To, len(ch.Rows))
				}
				for _, r := range ch.Rows {
					if r.Published.Result != ch.From || r.Draft.Result != ch.To {
						t.Errorf("row %+v in group %s→%s", r, ch.From, ch.To)
					}
				}
			}
			// The first pass→softfail row is the second class's first row:
			// line 4 (a comment, the header, then class 0).
			for _, ch := range rep.Changes {
				if ch.From == spf.Pass && ch.To == spf.Softfail {
					r := ch.Rows[0]
					if r.Line != 4 || r.IP != netip.MustParseAddr("192.0.2.129") || r.MailFrom != "user1@example.com" ||
						r.Published.Mechanism != "ip4:192.0.2.0/24" || r.Draft.Mechanism != "~all" {
						t.Errorf("first pass→softfail row = %+v", r)
					}
				}
			}
			for _, e := range rep.Bad {
				if !strings.Contains(e.Reason, "is not an IP address") {
					t.Errorf("bad row %+v", e)
				}
			}
		})
	}
}

// TestCompareLiveDNS runs a comparison against the world served over DNS
// on loopback, through a Client and a Cache.
func TestCompareLiveDNS(t *testing.T) {
	srv, err := fakedns.Serve(worldResolver(t), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var queries int
	var mu = make(chan struct{}, 1)
	srv.OnQuery = func(fakedns.Query) { mu <- struct{}{}; queries++; <-mu }
	client := livedns.NewClient(srv.Addr())
	client.Timeout = 2 * time.Second
	path, want, bad := sendersFile(t, 3000, 0, ",")
	c := newCompare(&draft.Cache{Resolver: client})
	c.Workers = 8
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := c.Run(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, want, bad)
	// Each name is asked once: example.com, _spf.example.net, other.org,
	// mail.example.com (TXT, for the bounces). OnQuery runs after the
	// answer is sent: wait for the handlers before counting.
	srv.Shutdown(context.Background())
	mu <- struct{}{}
	if queries != 4 {
		t.Errorf("%d queries reached the server, want 4", queries)
	}
	<-mu
}

func TestCompareEmptyAndCancelled(t *testing.T) {
	c := newCompare(worldResolver(t))
	rep, err := c.Run(context.Background(), strings.NewReader(""))
	if err != nil || rep.Rows != 0 || rep.BadRows != 0 || len(rep.Changes) != 0 {
		t.Errorf("empty file: %+v, %v", rep, err)
	}
	rep, err = c.Run(context.Background(), strings.NewReader("# only a comment\n\n"))
	if err != nil || rep.Rows != 0 {
		t.Errorf("comment-only file: %+v, %v", rep, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path, _, _ := sendersFile(t, 200000, 0, ",")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err = c.Run(ctx, f)
	if err != context.Canceled {
		t.Errorf("cancelled run: err %v, want context.Canceled", err)
	}
	if rep == nil || rep.Rows == 200000 {
		t.Errorf("cancelled run evaluated every row: %+v", rep)
	}
	if _, err := (&draft.Compare{}).Run(context.Background(), strings.NewReader("")); err == nil {
		t.Error("Compare without checkers: no error")
	}
}

// TestCompareLongLine: a line longer than a whole chunk is one bad row,
// and the lines after it keep their numbers.
func TestCompareLongLine(t *testing.T) {
	input := "192.0.2.1,a@example.com,h.example.com\n" +
		strings.Repeat("y", 200<<10) + "\n" +
		"192.0.2.200,b@example.com,h.example.com\n" +
		"nope,c@example.com,h\n"
	c := newCompare(worldResolver(t))
	c.Examples = -1
	rep, err := c.Run(context.Background(), strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 2 || rep.BadRows != 2 || len(rep.Bad) != 2 || rep.Bad[0].Line != 2 || rep.Bad[1].Line != 4 {
		t.Fatalf("report %+v, bad %+v", rep, rep.Bad)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Rows[0].Line != 3 {
		t.Errorf("changes %+v, want the row of line 3", rep.Changes)
	}
}

// TestCompareSkipsExplanation: a comparison never shows an explanation,
// so rows that fail look up no exp= target, and the checkers given keep
// their settings.
func TestCompareSkipsExplanation(t *testing.T) {
	z, err := zonedata.Parse([]byte(`
example.com:
  - TXT: v=spf1 ip4:192.0.2.0/24 exp=why.example.com -all
why.example.com:
  - TXT: "%{i} is not ours"
`), "exp.yml")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var expLookups int
	z.OnQuery = func(_, name string, _ error) {
		mu.Lock()
		defer mu.Unlock()
		if name == "why.example.com" {
			expLookups++
		}
	}
	c := &draft.Compare{
		Published: &spf.Checker{Resolver: z},
		Draft:     &spf.Checker{Resolver: fakedns.WithDrafts(z, map[string]string{"example.com": "v=spf1 exp=why.example.com -all"})},
		Examples:  -1,
	}
	rep, err := c.Run(context.Background(), strings.NewReader("192.0.2.1,a@example.com,h\n203.0.113.1,b@example.com,h\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Published[spf.Fail] != 1 || rep.Draft[spf.Fail] != 2 || rep.Changed != 1 {
		t.Errorf("report %+v, want 1 fail published, 2 with the draft, 1 changed", rep)
	}
	if expLookups != 0 {
		t.Errorf("%d lookups of the exp= target, want none", expLookups)
	}
	if c.Published.NoExplanation || c.Draft.NoExplanation {
		t.Error("Run changed the checkers it was given")
	}
}
