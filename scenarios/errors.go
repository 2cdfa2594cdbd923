package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a scenarios file: where it is, which field, and
// what is wrong.
type Error struct {
	File  string
	Line  int    // 1-based; 0 when the problem is the file as a whole
	Field string // the path of the field, e.g. "seed-fail.dialogue[3].expect.spf"
	Msg   string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s: %s", e.File, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// Errors is every problem found in a scenarios file, by line. The loader
// reports them all at once.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted returns es ordered by line, keeping the order of discovery
// within a line, without repeats.
func (es Errors) sorted() Errors {
	slices.SortStableFunc(es, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	return slices.CompactFunc(es, func(a, b *Error) bool { return *a == *b })
}
