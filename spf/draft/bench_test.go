package draft_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"spflab/spf/draft"
)

// sendersData returns a senders file of n rows cycling through rowClasses,
// with a header, in memory outside the Go heap: the garbage collector
// paces itself by the heap, and a command reading a file holds 64 KB of
// it at a time, not the whole file.
func sendersData(b *testing.B, n int) []byte {
	var buf bytes.Buffer
	buf.WriteString("ip,sender,helo\n")
	for i := range n {
		buf.WriteString(rowClasses[i%len(rowClasses)].row(i))
		buf.WriteByte('\n')
	}
	data, err := syscall.Mmap(-1, 0, buf.Len(), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		b.Fatalf("mmap: %v", err)
	}
	b.Cleanup(func() { syscall.Munmap(data) })
	copy(data, buf.Bytes())
	return data
}

// BenchmarkCompare compares draftRecord with the published record over an
// in-memory zone: rows/s counts rows of the senders file, each evaluated
// twice (published and draft); cpu-ns/row is the CPU time of the process
// per row.
func BenchmarkCompare(b *testing.B) {
	const rows = 100000
	data := sendersData(b, rows)
	c := newCompare(worldResolver(b))
	c.Examples = 10
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		rep, err := c.Run(context.Background(), bytes.NewReader(data))
		if err != nil || rep.Rows != rows {
			b.Fatal(fmt.Sprint(rep.Rows, err))
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(processCPU()-cpu)/float64(rows*b.N), "cpu-ns/row")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCompareCores runs the same 1M-row in-memory senders file with
// GOMAXPROCS 1 and 2 in alternation, each op one pass of each (the one
// that goes first alternates too), with the default Workers (GOMAXPROCS).
// On a shared machine only ratios taken side by side mean something:
// x-two-cores is the median of the per-op ratios time(1)/time(2);
// x-ideal the same ratio, in the same ops, for two goroutines that only
// count (what the machine allowed); cpu-x-two-cores the median ratio of
// the CPU time of the two passes (1 when using two cores costs no extra
// work).
func BenchmarkCompareCores(b *testing.B) {
	if runtime.NumCPU() < 2 {
		b.Skip("needs 2 CPUs")
	}
	const rows = 1_000_000
	data := sendersData(b, rows)
	c := newCompare(worldResolver(b))
	c.Examples = 10
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	compare := func() {
		rep, err := c.Run(context.Background(), bytes.NewReader(data))
		if err != nil || rep.Rows != rows {
			b.Fatal(fmt.Sprint(rep.Rows, err))
		}
	}
	var sink atomic.Uint64
	count := func() {
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				x := uint64(0)
				for i := range uint64(1 << 27) {
					x = x*31 + i
				}
				sink.Add(x)
			})
		}
		wg.Wait()
	}
	// pass runs f with procs Ps, returning its wall and CPU time.
	pass := func(procs int, f func()) (wall, cpu float64) {
		runtime.GOMAXPROCS(procs)
		runtime.GC()
		start, cpu0 := time.Now(), processCPU()
		f()
		return time.Since(start).Seconds(), float64(processCPU() - cpu0)
	}
	var speedup, ideal, cpuRatio, one, two []float64
	for i := 0; b.Loop(); i++ {
		order := []int{1, 2}
		if i%2 == 1 {
			order = []int{2, 1}
		}
		var wall, cpu, spin [3]float64
		for _, p := range order {
			wall[p], cpu[p] = pass(p, compare)
			spin[p], _ = pass(p, count)
		}
		speedup = append(speedup, wall[1]/wall[2])
		ideal = append(ideal, spin[1]/spin[2])
		cpuRatio = append(cpuRatio, cpu[2]/cpu[1])
		one = append(one, rows/wall[1])
		two = append(two, rows/wall[2])
	}
	b.ReportMetric(median(speedup), "x-two-cores")
	b.ReportMetric(median(ideal), "x-ideal")
	b.ReportMetric(median(cpuRatio), "cpu-x-two-cores")
	b.ReportMetric(median(one), "rows/s-1core")
	b.ReportMetric(median(two), "rows/s-2cores")
	b.ReportMetric(0, "ns/op")
}

// processCPU is the CPU time the process has used, in nanoseconds: on a
// shared machine it measures the work, where wall time also counts the
// waits for a core.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
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

// BenchmarkCompareCached is BenchmarkCompare as the command runs a
// comparison over live DNS, the answers all cached: through a Cache, with
// 4 workers per core and a deadline per row.
func BenchmarkCompareCached(b *testing.B) {
	const rows = 100000
	data := sendersData(b, rows)
	c := newCompare(&draft.Cache{Resolver: worldResolver(b)})
	c.Examples, c.Workers = 10, 4*runtime.GOMAXPROCS(0)
	c.RowContext = func(ctx context.Context) (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, 30*time.Second)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		rep, err := c.Run(context.Background(), bytes.NewReader(data))
		if err != nil || rep.Rows != rows {
			b.Fatal(fmt.Sprint(rep.Rows, err))
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(processCPU()-cpu)/float64(rows*b.N), "cpu-ns/row")
	b.ReportMetric(0, "ns/op")
}
