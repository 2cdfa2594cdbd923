package draft_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/spf"
	"spflab/spf/draft"
)

// countingResolver passes lookups to a zone, counting them by question,
// and calls each before each lookup.
type countingResolver struct {
	spf.Resolver
	each func()

	mu   sync.Mutex
	asks map[string]int
}

func (r *countingResolver) count(q string) {
	r.each()
	r.mu.Lock()
	r.asks[q]++
	r.mu.Unlock()
}

func (r *countingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.count("TXT " + name)
	return r.Resolver.LookupTXT(ctx, name)
}

func (r *countingResolver) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	r.count("A " + name)
	return r.Resolver.LookupA(ctx, name)
}

// TestCacheBounded: a comparison over 20,000 distinct clients, each asking
// a question of its own (exists with %{i}), keeps no more answers than the
// cache's bound (issue 11: 564 MB at 300k rows before), while the record
// every row needs stays cached and is asked once.
func TestCacheBounded(t *testing.T) {
	z, err := zonedata.Parse([]byte(`
bounded.example:
  - TXT: v=spf1 exists:%{i}.allow.bounded.example -all
10.0.0.7.allow.bounded.example:
  - A: 127.0.0.2
`), "bounded.yml")
	if err != nil {
		t.Fatal(err)
	}
	const size, rows = 256, 20000
	cache := &draft.Cache{Size: size}
	var mu sync.Mutex
	maxLen := 0
	counting := &countingResolver{Resolver: z, asks: map[string]int{}, each: func() {
		n := cache.Len()
		mu.Lock()
		maxLen = max(maxLen, n)
		mu.Unlock()
	}}
	cache.Resolver = counting
	records := &spf.RecordCache{}
	c := &draft.Compare{
		Published: &spf.Checker{Resolver: cache, Records: records},
		Draft: &spf.Checker{Resolver: fakedns.WithDrafts(cache, map[string]string{"bounded.example": "v=spf1 exists:%{i}.allow.bounded.example ~all"}),
			Records: records},
		Workers: 4,
	}
	var b strings.Builder
	for i := range rows {
		fmt.Fprintf(&b, "10.%d.%d.%d,user@bounded.example,mail.bounded.example\n", i>>16, (i>>8)&0xff, i&0xff)
	}
	rep, err := c.Run(context.Background(), strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != rows || rep.Published[spf.Pass] != 1 || rep.Published[spf.Fail] != rows-1 || rep.Draft[spf.Softfail] != rows-1 {
		t.Errorf("report: %d rows, published %v, draft %v", rep.Rows, rep.Published, rep.Draft)
	}
	if maxLen > size || cache.Len() != size {
		t.Errorf("the cache held up to %d answers and %d at the end; its bound is %d", maxLen, cache.Len(), size)
	}
	counting.mu.Lock()
	defer counting.mu.Unlock()
	if n := counting.asks["TXT bounded.example"]; n != 1 {
		t.Errorf("the published record was asked %d times, want once", n)
	}
	if n := counting.asks["A 10.0.0.7.allow.bounded.example"]; n < 1 || n > 2 {
		t.Errorf("one client's exists name was asked %d times, want once per evaluation at most", n)
	}
}

// TestCacheSharesInFlight: concurrent askers of one question wait for one
// lookup.
func TestCacheSharesInFlight(t *testing.T) {
	release := make(chan struct{})
	slow := &blockingResolver{release: release}
	cache := &draft.Cache{Resolver: slow, Size: 1}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			txt, err := cache.LookupTXT(context.Background(), "example.com")
			if err != nil || len(txt) != 1 {
				t.Errorf("LookupTXT: %q, %v", txt, err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let them all ask; the outcome holds either way
	close(release)
	wg.Wait()
	if n := slow.asks.Load(); n < 1 || n > 8 {
		t.Errorf("%d lookups", n)
	}
	// Another question evicts the first (Size 1): it is asked again.
	before := slow.asks.Load()
	cache.LookupTXT(context.Background(), "other.example")
	cache.LookupTXT(context.Background(), "example.com")
	if cache.Len() != 1 || slow.asks.Load() != before+2 {
		t.Errorf("after eviction: %d kept, %d lookups, want 1 kept and %d lookups", cache.Len(), slow.asks.Load(), before+2)
	}
}

// TestCompareRowContext: RowContext bounds each row; a row whose lookup
// hangs ends in temperror with the context's cause, and the rows after it
// run.
func TestCompareRowContext(t *testing.T) {
	z := worldResolver(t)
	hang := &hangingResolver{Resolver: z, name: "hang.example"}
	records := &spf.RecordCache{}
	c := &draft.Compare{
		Published: &spf.Checker{Resolver: hang, Records: records},
		Draft:     &spf.Checker{Resolver: fakedns.WithDrafts(hang, map[string]string{"example.com": draftRecord}), Records: records},
		Examples:  -1,
	}
	var derived atomic.Int64
	c.RowContext = func(ctx context.Context) (context.Context, context.CancelFunc) {
		derived.Add(1)
		return context.WithTimeoutCause(ctx, 50*time.Millisecond, errors.New("row deadline reached"))
	}
	rep, err := c.Run(context.Background(), strings.NewReader(
		"192.0.2.1,a@hang.example,h.example\n192.0.2.200,b@example.com,h.example\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 2 || rep.Published[spf.TempError] != 1 || rep.Published[spf.Pass] != 1 || rep.Draft[spf.TempError] != 1 || rep.Draft[spf.Softfail] != 1 {
		t.Errorf("report: %+v", rep)
	}
	for _, ch := range rep.Changes {
		for _, r := range ch.Rows {
			if r.Published.Result == spf.TempError && !strings.Contains(r.Published.Error, "row deadline reached") {
				t.Errorf("the hanging row's error %q does not give the deadline's cause", r.Published.Error)
			}
		}
	}
	// Only the row that waits derives a context: the other is answered
	// from the zone, which never uses it.
	if n := derived.Load(); n != 1 {
		t.Errorf("RowContext called %d times, want once (for the hanging row)", n)
	}
}

// blockingResolver answers TXT queries once release is closed.
type blockingResolver struct {
	spf.Resolver
	release chan struct{}
	asks    atomic.Int64
}

func (r *blockingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.asks.Add(1)
	<-r.release
	return []string{"v=spf1 -all"}, nil
}

// hangingResolver never answers TXT queries for name: it waits for the
// context to end and fails with its cause.
type hangingResolver struct {
	spf.Resolver
	name string
}

func (r *hangingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if name != r.name {
		return r.Resolver.LookupTXT(ctx, name)
	}
	<-ctx.Done()
	return nil, &spf.DNSError{QType: "TXT", Name: name, Err: fmt.Errorf("%w: %v", spf.ErrTemporary, context.Cause(ctx))}
}
