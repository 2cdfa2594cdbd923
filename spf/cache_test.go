package spf

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestRecordCache(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		records int // distinct records parsed, each twice
		slots   int // the bound
	}{
		{"default size", 0, 100, DefaultRecordCacheSize},
		{"rounded up to a power of two", 6, 100, 8},
		{"smaller than the cache", 64, 10, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &RecordCache{Size: tt.size}
			for round := range 2 {
				for i := range tt.records {
					text := fmt.Sprintf("v=spf1 ip4:192.0.2.%d -all", i)
					cr := c.lookup(text)
					rec, err := cr.rec, cr.err
					if err != nil || rec.Text != text || len(rec.Terms) != 2 || rec.Terms[0].Value != fmt.Sprintf("192.0.2.%d", i) {
						t.Fatalf("round %d: parse(%q) = %+v, %v", round, text, rec, err)
					}
				}
			}
			if len(c.slots) != tt.slots {
				t.Errorf("%d slots, want %d", len(c.slots), tt.slots)
			}
			held := 0
			for i := range c.slots {
				if c.slots[i].Load() != nil {
					held++
				}
			}
			if held > tt.slots || held > tt.records {
				t.Errorf("%d records held, want at most %d and %d", held, tt.slots, tt.records)
			}
		})
	}
}

func TestRecordCacheParsesOnce(t *testing.T) {
	c := &RecordCache{}
	for _, text := range []string{"v=spf1 a mx -all", "v=spf1 bogus:x -all"} {
		cr1, cr2 := c.lookup(text), c.lookup(text)
		rec1, err1, rec2, err2 := cr1.rec, cr1.err, cr2.rec, cr2.err
		if rec1 != rec2 || err1 != err2 {
			t.Errorf("%q: parsed twice: %p, %v then %p, %v", text, rec1, err1, rec2, err2)
		}
		want, wantErr := Parse(text)
		if fmt.Sprint(want) != fmt.Sprint(rec1) || fmt.Sprint(wantErr) != fmt.Sprint(err1) {
			t.Errorf("%q: cached %+v, %v; Parse %+v, %v", text, rec1, err1, want, wantErr)
		}
	}
}

// TestRecordCacheConcurrent evicts all the time from several goroutines;
// run it with -race.
func TestRecordCacheConcurrent(t *testing.T) {
	c := &RecordCache{Size: 4}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				text := fmt.Sprintf("v=spf1 ip4:198.51.100.%d ~all", (g+i)%40)
				cr := c.lookup(text)
				rec, err := cr.rec, cr.err
				if err != nil || rec.Text != text {
					errs <- fmt.Errorf("parse(%q) = %v, %v", text, rec, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestRecordCacheDomainError: the same broken record of the same domain
// gives the same error value; of another domain, its own.
func TestRecordCacheDomainError(t *testing.T) {
	cr := (&RecordCache{}).lookup("v=spf1 ip4:300.0.0.1 -all")
	a1, a2 := cr.recordError("a.example"), cr.recordError("a.example")
	b := cr.recordError("b.example")
	if a1 != a2 || a1.Domain != "a.example" || b.Domain != "b.example" || a1.Err != cr.err || b.Err != cr.err {
		t.Errorf("a.example: %p %v, %p %v; b.example: %v", a1, a1, a2, a2, b)
	}
	if cr.err == nil {
		t.Fatal("the record parsed")
	}
}

// TestRecordCacheSkipsHugeRecords: records beyond real sizes are parsed
// each time, never kept.
func TestRecordCacheSkipsHugeRecords(t *testing.T) {
	tests := []struct {
		name string
		text string
		kept bool
	}{
		{"64 terms", "v=spf1" + strings.Repeat(" a", 64), true},
		{"65 terms", "v=spf1" + strings.Repeat(" a", 65), false},
		{"1,024 bytes", "v=spf1 include:" + strings.Repeat("a", 1024-len("v=spf1 include:.example")) + ".example", true},
		{"1,025 bytes", "v=spf1 include:" + strings.Repeat("a", 1025-len("v=spf1 include:.example")) + ".example", false},
		{"a long syntax error", "v=spf1 " + strings.Repeat("!", 2000), false},
	}
	for _, tt := range tests {
		c := &RecordCache{}
		cr := c.lookup(tt.text)
		if cr.rec == nil && cr.err == nil {
			t.Fatalf("%s: neither a record nor an error", tt.name)
		}
		if kept := c.lookup(tt.text) == cr; kept != tt.kept {
			t.Errorf("%s (%d bytes): kept %v, want %v", tt.name, len(tt.text), kept, tt.kept)
		}
	}
}
