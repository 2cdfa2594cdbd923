package draft_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// BenchmarkCompare compares draftRecord with the published record over an
// in-memory zone: rows/s counts rows of the senders file, each evaluated
// twice (published and draft).
func BenchmarkCompare(b *testing.B) {
	const rows = 100000
	var buf bytes.Buffer
	buf.WriteString("ip,sender,helo\n")
	for i := range rows {
		buf.WriteString(rowClasses[i%len(rowClasses)].row(i))
		buf.WriteByte('\n')
	}
	data := buf.Bytes()
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
