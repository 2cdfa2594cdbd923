package draft_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"spflab/fakedns"
	"spflab/internal/budget/budgettest"
	"spflab/spf"
	"spflab/spf/draft"
)

// comments is an io.Reader of a senders file of size bytes: a row, then
// 64-byte comment lines.
type comments struct{ n, size int64 }

const firstRow = "192.0.2.1,a@example.com,h.example.com\n"

var commentLines = bytes.Repeat([]byte("#"+strings.Repeat("x", 62)+"\n"), 1024)

func (c *comments) Read(p []byte) (int, error) {
	if c.n >= c.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), c.size-c.n)]
	var n int
	if c.n < int64(len(firstRow)) {
		n = copy(p, firstRow[c.n:])
	} else {
		n = copy(p, commentLines[(c.n-int64(len(firstRow)))%64:])
	}
	c.n += int64(n)
	return n, nil
}

// TestSendersBudget: a senders file stops at its budget (256 MiB), with an
// error naming the line, in Compare and in Reader alike.
func TestSendersBudget(t *testing.T) {
	const size = 300 << 20
	// The byte past 256 MiB is on this line: one for the row, then 64-byte lines.
	const line = 2 + (256<<20-len(firstRow))/64
	want := fmt.Sprintf("line %d: over the budget of 256 MiB for a senders file: the file goes on past it (SPFLAB_BUDGET=N multiplies every budget by N)", line)
	budgettest.PeakBounded(t, 100<<20, func(t *testing.T) {
		c := &draft.Compare{
			Published: &spf.Checker{Resolver: fakedns.NewZone()},
			Draft:     &spf.Checker{Resolver: fakedns.NewZone()},
		}
		rep, err := c.Run(context.Background(), &comments{size: size})
		if err == nil || err.Error() != want || rep.Rows != 1 {
			t.Errorf("Compare: %d rows, error %v\nwant 1 row, error %s", rep.Rows, err, want)
		}

		r := draft.NewReader(&comments{size: size})
		rows := 0
		for {
			_, err = r.Next()
			if err != nil {
				break
			}
			rows++
		}
		var re *draft.RowError
		if errors.As(err, &re) || err == io.EOF || err.Error() != want || rows != 1 {
			t.Errorf("Reader: %d rows, error %v\nwant 1 row, error %s", rows, err, want)
		}
	})
}
