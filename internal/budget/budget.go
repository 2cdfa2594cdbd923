// Package budget reads untrusted input within budgets: how many bytes a
// file may hold (decompressed, for a compressed one), how deep a YAML
// document may nest and how much its aliases may expand, how many records
// and how much text the zones a file builds may hold. Reading stops as
// soon as an input goes over a budget, with an *Error naming the file, the
// line and the budget, so that a small hostile file — a YAML alias bomb, a
// $GENERATE range, a gzip bomb, a file of gigabytes — costs neither memory
// nor time.
//
// Each budget has a default; the environment variable SPFLAB_BUDGET=N
// multiplies every one of them by N (a decimal factor; below 1 lowers
// them).
package budget

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Kind is one budget.
type Kind int

// The budgets.
const (
	LessonFile   Kind = iota // bytes of a lesson (scenarios) file
	ZoneDataFile             // bytes of a zonedata YAML file
	ZoneFile                 // bytes of a BIND master file
	SuiteFile                // bytes of a suite file, decompressed
	SendersFile              // bytes of a senders file
	YAMLDepth                // levels a YAML document nests, aliases expanded
	AliasNodes               // nodes YAML aliases add to a document in all
	AliasText                // bytes of text YAML aliases add to a document in all
	ZoneRecords              // records in all the zones one file builds, $GENERATE names included
	NameRecords              // records of one name in a zone
	ZoneText                 // bytes of TXT strings in all the zones one file builds
	numKinds
)

// Env is the environment variable whose number multiplies every budget.
const Env = "SPFLAB_BUDGET"

const (
	kib = 1 << 10
	mib = 1 << 20
)

var kinds = [numKinds]struct {
	what  string // "the budget of N UNIT for WHAT"
	limit int64
	unit  string
}{
	// YAML takes about 100 bytes of memory per byte of input at worst
	// (a flow list of one-digit numbers): 1 MiB keeps a YAML file under
	// 100 MB. The built-in lessons are 44 KB, the RFC 7208 suite 79 KB.
	LessonFile:   {"a lesson file", 1 * mib, "bytes"},
	ZoneDataFile: {"a zonedata file", 1 * mib, "bytes"},
	ZoneFile:     {"a zone file", 16 * mib, "bytes"},
	SuiteFile:    {"a suite file (compressed or not)", 1 * mib, "bytes"},
	SendersFile:  {"a senders file", 256 * mib, "bytes"},
	YAMLDepth:    {"the nesting of a YAML document", 64, "levels"},
	AliasNodes:   {"what the YAML aliases of a document expand to", 10_000, "nodes"},
	AliasText:    {"the text YAML aliases repeat in a document", 1 * mib, "bytes"},
	ZoneRecords:  {"the zones of a file", 100_000, "records"},
	NameRecords:  {"one name", 1_000, "records"},
	ZoneText:     {"the TXT strings of a file's zones", 16 * mib, "bytes"},
}

// Limit returns the budget: its default times SPFLAB_BUDGET, at least 1.
func (k Kind) Limit() int64 {
	l := kinds[k].limit
	f, err := strconv.ParseFloat(strings.TrimSpace(os.Getenv(Env)), 64)
	if err != nil || f <= 0 || math.IsNaN(f) {
		return l
	}
	if scaled := float64(l) * f; scaled < 1<<62 {
		return max(int64(scaled), 1)
	}
	return 1 << 62
}

// String names the budget as errors do: "the budget of 1 MiB for a lesson
// file".
func (k Kind) String() string {
	return fmt.Sprintf("the budget of %s for %s", amount(k.Limit(), kinds[k].unit), kinds[k].what)
}

// amount is n with its unit, in MiB or KiB when it is a whole number of
// them.
func amount(n int64, unit string) string {
	if unit == "bytes" {
		switch {
		case n >= mib && n%mib == 0:
			return fmt.Sprintf("%d MiB", n/mib)
		case n >= kib && n%kib == 0:
			return fmt.Sprintf("%d KiB", n/kib)
		}
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// Error is an input that went over a budget.
type Error struct {
	File   string // the input as the user named it
	Line   int    // 1-based line where it went over; 0 when there is none
	Kind   Kind
	Detail string // what went over, e.g. "the file goes on past it"
}

// Error is "file:line: over the budget of N UNIT for WHAT: detail (how to
// raise it)".
func (e *Error) Error() string {
	switch {
	case e.File == "" && e.Line > 0:
		return "line " + strconv.Itoa(e.Line) + ": " + e.Msg()
	case e.File == "":
		return e.Msg()
	case e.Line > 0:
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg()
	}
	return e.File + ": " + e.Msg()
}

// Msg is the error without the file and line.
func (e *Error) Msg() string {
	msg := "over " + e.Kind.String()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg + " (" + Env + "=N multiplies every budget by N)"
}

// maxQuote is how many bytes of a value Quote shows.
const maxQuote = 64

// Quote returns s quoted for an error message, cut to its first 64 bytes
// when longer, so that a huge value never makes a huge message.
func Quote(s string) string {
	if len(s) <= maxQuote {
		return strconv.Quote(s)
	}
	cut := maxQuote
	for cut > maxQuote-4 && cut > 0 && s[cut]&0xc0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("... (%d bytes)", len(s))
}
