package finding

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// CaretWidth is how much of a record WriteText shows above a caret.
const CaretWidth = 100

// WriteText writes findings for a terminal, each after a blank line: the
// finding in its words (String), the record with a caret under the term
// when it has a column, and the fix.
func WriteText(w io.Writer, findings []Finding) error {
	bw := bufio.NewWriter(w)
	for i := range findings {
		f := &findings[i]
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, f)
		if line, carets := f.Caret(CaretWidth); line != "" {
			fmt.Fprintln(bw, "    "+line)
			fmt.Fprintln(bw, "    "+carets)
		}
		fmt.Fprintln(bw, "    fix: "+f.Fix)
	}
	return bw.Flush()
}

// Counts says how many errors, warnings and info findings there are:
// "1 error, 2 warnings, 0 info".
func Counts(findings []Finding) string {
	return count(Count(findings, SeverityError), "error") + ", " + count(Count(findings, SeverityWarning), "warning") + ", " +
		strconv.Itoa(Count(findings, SeverityInfo)) + " info"
}

func count(n int, what string) string {
	if n != 1 {
		what += "s"
	}
	return strconv.Itoa(n) + " " + what
}
