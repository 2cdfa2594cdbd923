package draft_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

// sendersData returns a senders file of n rows cycling through rowClasses,
// with a header.
func sendersData(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString("ip,sender,helo\n")
	for i := range n {
		buf.WriteString(rowClasses[i%len(rowClasses)].row(i))
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// BenchmarkCompare compares draftRecord with the published record over an
// in-memory zone: rows/s counts rows of the senders file, each evaluated
// twice (published and draft).
func BenchmarkCompare(b *testing.B) {
	const rows = 100000
	data := sendersData(rows)
	c := newCompare(worldResolver(b))
	c.Examples = 10
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := c.Run(context.Background(), bytes.NewReader(data))
		if err != nil || rep.Rows != rows {
			b.Fatal(fmt.Sprint(rep.Rows, err))
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCompareCores runs the same 1M-row in-memory senders file with
// GOMAXPROCS 1 and 2 in alternation, each op one pass of each (the one
// that goes first alternates too), with the default Workers (GOMAXPROCS).
// x-two-cores is the median of the per-op ratios time(1)/time(2): on a
// shared machine only ratios taken side by side mean something.
func BenchmarkCompareCores(b *testing.B) {
	if runtime.NumCPU() < 2 {
		b.Skip("needs 2 CPUs")
	}
	const rows = 1_000_000
	data := sendersData(rows)
	c := newCompare(worldResolver(b))
	c.Examples = 10
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	pass := func(procs int) time.Duration {
		runtime.GOMAXPROCS(procs)
		runtime.GC()
		start := time.Now()
		rep, err := c.Run(context.Background(), bytes.NewReader(data))
		d := time.Since(start)
		if err != nil || rep.Rows != rows {
			b.Fatal(fmt.Sprint(rep.Rows, err))
		}
		return d
	}
	var ratios, one, two []float64
	for i := 0; b.Loop(); i++ {
		var d1, d2 time.Duration
		if i%2 == 0 {
			d1, d2 = pass(1), pass(2)
		} else {
			d2, d1 = pass(2), pass(1)
		}
		ratios = append(ratios, d1.Seconds()/d2.Seconds())
		one = append(one, rows/d1.Seconds())
		two = append(two, rows/d2.Seconds())
	}
	b.ReportMetric(median(ratios), "x-two-cores")
	b.ReportMetric(median(one), "rows/s-1core")
	b.ReportMetric(median(two), "rows/s-2cores")
	b.ReportMetric(0, "ns/op")
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if n := len(xs); n%2 == 1 {
		return xs[n/2]
	} else {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
}
