// Package draft compares a draft SPF record with the published one over the
// senders a receiver has seen: for every row of a senders file (client IP,
// MAIL FROM, HELO) it runs the SPF check of RFC 7208 §2.4 once against the
// published DNS and once with the draft in place, and reports the rows
// whose result would change, grouped by change.
//
// A senders file streams through in chunks of lines that parallel workers
// parse and evaluate; only counts and a few example rows per change are
// kept, so memory does not grow with the file.
package draft

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	"spflab/spf"
)

// Compare evaluates the rows of a senders file with the published record
// and with the draft. Set Published and Draft; the rest is optional.
type Compare struct {
	// Published checks with the DNS as it is; Draft with the draft record
	// in place (e.g. fakedns.WithDrafts over the same resolver). Both are
	// used from several goroutines at once: their Resolvers must be safe
	// for concurrent use. Give them a shared spf.RecordCache so that each
	// record is parsed once. A comparison never shows an explanation: it
	// checks with copies of them that set NoExplanation.
	Published, Draft *spf.Checker
	// Workers is the number of goroutines evaluating rows; 0 means
	// runtime.GOMAXPROCS(0). Raise it when the resolver waits on the
	// network.
	Workers int
	// Examples is how many rows each Change keeps, the first in the file;
	// 0 keeps none, a negative number all of them.
	Examples int
	// MaxBadRows is how many bad rows the Report keeps (all are counted);
	// 0 means 100.
	MaxBadRows int
	// OnBadRow, when set, is called for every bad row, in file order.
	OnBadRow func(*RowError)
	// OnChange, when set, is called for every row whose result changes, in
	// file order.
	OnChange func(Row)
	// RowContext, when set, derives the context each row is evaluated
	// under (both checks), e.g. a deadline per row so that a slow DNS
	// server cannot hold a row longer than a receiver would wait.
	RowContext func(context.Context) (context.Context, context.CancelFunc)
}

// Row is a row whose result the draft changes.
type Row struct {
	Sender
	Published Outcome `json:"published"`
	Draft     Outcome `json:"draft"`
}

// Outcome is the part of an spf.Outcome a comparison keeps.
type Outcome struct {
	Result    spf.Result `json:"result"`
	Mechanism string     `json:"mechanism,omitempty"` // the term that decided
	Error     string     `json:"error,omitempty"`     // why temperror or permerror
}

func outcomeOf(o *spf.Outcome) Outcome {
	out := Outcome{Result: o.Result, Mechanism: o.Mechanism}
	if o.Err != nil && (o.Result == spf.TempError || o.Result == spf.PermError) {
		out.Error = o.Err.Error()
	}
	return out
}

// Change is one kind of change, e.g. pass to fail, with the number of rows
// that make it and the first of them.
type Change struct {
	From  spf.Result `json:"from"`
	To    spf.Result `json:"to"`
	Count int        `json:"count"` // rows
	// Messages is the messages of those rows (Sender.Count), for a
	// comparison over DMARC aggregate reports.
	Messages int   `json:"messages,omitempty"`
	Rows     []Row `json:"rows,omitempty"`
}

// Report is the outcome of a comparison.
type Report struct {
	Rows      int                `json:"rows"`     // rows evaluated
	Changed   int                `json:"changed"`  // rows whose result changes
	BadRows   int                `json:"bad_rows"` // lines skipped as bad rows
	Changes   []Change           `json:"changes"`  // those from pass first, then by count, largest first
	Published map[spf.Result]int `json:"published"`
	Draft     map[spf.Result]int `json:"draft"`
	Bad       []*RowError        `json:"bad,omitempty"` // the first MaxBadRows bad rows
	// Weighted is set for a comparison of senders with message counts
	// (RunSenders): Messages and ChangedMessages count messages.
	Weighted        bool `json:"weighted,omitempty"`
	Messages        int  `json:"messages,omitempty"`
	ChangedMessages int  `json:"changed_messages,omitempty"`
}

// results lists the results in the order reports show them.
var results = [...]spf.Result{spf.Pass, spf.Fail, spf.Softfail, spf.Neutral, spf.None, spf.TempError, spf.PermError}

const numResults = len(results)

func resultIndex(r spf.Result) int {
	switch r {
	case spf.Pass:
		return 0
	case spf.Fail:
		return 1
	case spf.Softfail:
		return 2
	case spf.Neutral:
		return 3
	case spf.None:
		return 4
	case spf.TempError:
		return 5
	}
	return 6
}

// chunkSize is how many bytes of lines a worker takes at once.
const chunkSize = 64 << 10

// chunk is a run of whole lines of the file.
type chunk struct {
	seq       int
	firstLine int
	data      []byte
	// long is set for a line longer than a chunk, which is skipped; data
	// is then its start.
	long bool

	format     *Format
	headerLine int // the line of the header, 0 for none
}

// tally is what a worker found in one chunk.
type tally struct {
	seq      int
	rows     int
	counts   [numResults][numResults]int
	messages [numResults][numResults]int
	bad      []*RowError
	changed  []Row // the rows of each change the report may list (keeps)
}

// Run reads the senders file from r and compares every row. It returns
// the report, and an error when reading r failed, went over the budget of
// a senders file, or ctx ended; the report then covers the rows read so
// far.
func (c *Compare) Run(ctx context.Context, r io.Reader) (*Report, error) {
	c, err := c.prepare()
	if err != nil {
		return nil, err
	}
	r = withinBudget(r)
	workers := c.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan *chunk, workers)
	tallies := make(chan *tally, workers)
	// inFlight bounds the chunks read and not yet reported, so that a slow
	// chunk cannot make the reordering below hold the whole file.
	inFlight := make(chan struct{}, 4*workers)
	bufs := make(buffers, 4*workers+2)

	// Read: split r into chunks of whole lines. The format comes from the
	// first line that is neither blank nor a comment; chunks before it
	// have no rows.
	var readErr error
	go func() {
		defer close(jobs)
		format, headerLine := &DefaultFormat, 0
		detected := false
		readErr = splitChunks(ctx, r, bufs, func(ch *chunk) bool {
			if !detected && !ch.long {
				if line, n, ok := firstDataLine(ch.data); ok {
					f, header := DetectFormat(line)
					if header {
						headerLine = ch.firstLine + n
					}
					format, detected = &f, true
				}
			}
			ch.format, ch.headerLine = format, headerLine
			select {
			case inFlight <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- ch:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()

	// Evaluate: each worker parses and checks the rows of a chunk.
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fields := make([][]byte, 0, 8)
			for ch := range jobs {
				t := c.evaluate(ctx, ch, fields)
				if !ch.long {
					bufs.put(ch.data)
				}
				tallies <- t
			}
		}()
	}
	go func() { wg.Wait(); close(tallies) }()

	// Report: take the tallies in file order.
	rep := c.report(tallies, func() { <-inFlight })
	if err := context.Cause(ctx); err != nil && readErr == nil {
		readErr = err
	}
	return rep, readErr
}

// RunSenders compares the given senders, each standing for Count
// messages (from DMARC aggregate reports: see ReadReports); the report
// counts rows and messages. The senders are taken most messages first,
// so that the example rows of each change are the heaviest. It returns an
// error when ctx ended; the report then covers the senders checked so far.
func (c *Compare) RunSenders(ctx context.Context, senders []Sender) (*Report, error) {
	c, err := c.prepare()
	if err != nil {
		return nil, err
	}
	senders = slices.Clone(senders)
	slices.SortStableFunc(senders, func(a, b Sender) int { return cmp.Compare(b.Count, a.Count) })
	workers := c.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const batch = 64
	jobs := make(chan int)
	tallies := make(chan *tally, workers)
	go func() {
		defer close(jobs)
		for seq := 0; seq*batch < len(senders); seq++ {
			select {
			case jobs <- seq:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for seq := range jobs {
				t := &tally{seq: seq}
				for _, s := range senders[seq*batch : min(len(senders), (seq+1)*batch)] {
					if ctx.Err() != nil {
						break
					}
					c.evaluateRow(ctx, t, s)
				}
				tallies <- t
			}
		})
	}
	go func() { wg.Wait(); close(tallies) }()
	rep := c.report(tallies, func() {})
	rep.Weighted = true
	return rep, context.Cause(ctx)
}

// prepare returns the Compare a run uses: a copy whose checkers skip the
// explanation of a fail, which a report never shows.
func (c *Compare) prepare() (*Compare, error) {
	if c.Published == nil || c.Draft == nil {
		return nil, errors.New("draft: Compare needs a Published and a Draft checker")
	}
	run, pub, dr := *c, *c.Published, *c.Draft
	pub.NoExplanation, dr.NoExplanation = true, true
	run.Published, run.Draft = &pub, &dr
	return &run, nil
}

// report takes the tallies in order (by seq) into a report, calling
// taken after each.
func (c *Compare) report(tallies <-chan *tally, taken func()) *Report {
	rep := &Report{Published: map[spf.Result]int{}, Draft: map[spf.Result]int{}}
	var counts, messages [numResults][numResults]int
	var changes [numResults][numResults]*Change
	maxBad := cmp.Or(c.MaxBadRows, 100)
	pending := map[int]*tally{}
	next := 0
	for t := range tallies {
		pending[t.seq] = t
		for t := pending[next]; t != nil; t = pending[next] {
			delete(pending, next)
			next++
			taken()
			rep.Rows += t.rows
			rep.BadRows += len(t.bad)
			for _, b := range t.bad {
				if len(rep.Bad) < maxBad {
					rep.Bad = append(rep.Bad, b)
				}
				if c.OnBadRow != nil {
					c.OnBadRow(b)
				}
			}
			for i := range numResults {
				for j := range numResults {
					counts[i][j] += t.counts[i][j]
					messages[i][j] += t.messages[i][j]
				}
			}
			for _, row := range t.changed {
				i, j := resultIndex(row.Published.Result), resultIndex(row.Draft.Result)
				ch := changes[i][j]
				if ch == nil {
					ch = &Change{From: results[i], To: results[j]}
					changes[i][j] = ch
				}
				if c.Examples < 0 || len(ch.Rows) < c.Examples {
					ch.Rows = append(ch.Rows, row)
				}
				if c.OnChange != nil {
					c.OnChange(row)
				}
			}
		}
	}

	for i := range numResults {
		for j := range numResults {
			n := counts[i][j]
			if n == 0 {
				continue
			}
			rep.Published[results[i]] += n
			rep.Draft[results[j]] += n
			rep.Messages += messages[i][j]
			if i != j {
				rep.Changed += n
				rep.ChangedMessages += messages[i][j]
				ch := changes[i][j]
				if ch == nil { // no examples kept
					ch = &Change{From: results[i], To: results[j]}
				}
				ch.Count, ch.Messages = n, messages[i][j]
				rep.Changes = append(rep.Changes, *ch)
			}
		}
	}
	// Senders that lose a pass first: that is what a draft must not do by
	// mistake. Then by messages and rows, most first.
	slices.SortStableFunc(rep.Changes, func(a, b Change) int {
		if (a.From == spf.Pass) != (b.From == spf.Pass) {
			if a.From == spf.Pass {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), cmp.Compare(b.Count, a.Count))
	})
	return rep
}

// evaluate parses and checks the rows of one chunk.
func (c *Compare) evaluate(ctx context.Context, ch *chunk, fields [][]byte) *tally {
	t := &tally{seq: ch.seq}
	if ch.long {
		t.bad = append(t.bad, &RowError{Line: ch.firstLine, Row: string(ch.data) + "...", Reason: fmt.Sprintf("longer than %d bytes", maxLine)})
		return t
	}
	f, headerLine := ch.format, ch.headerLine
	data := ch.data
	for line := ch.firstLine; len(data) > 0; line++ {
		if ctx.Err() != nil {
			return t
		}
		var text []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, data = data[:i], data[i+1:]
		} else {
			text, data = data, nil
		}
		if line == headerLine {
			continue
		}
		s, ok, err := parseRow(text, line, f, fields)
		if err != nil {
			t.bad = append(t.bad, err.(*RowError))
			continue
		}
		if !ok {
			continue
		}
		c.evaluateRow(ctx, t, s)
	}
	return t
}

// evaluateRow checks one sender and counts it in t.
func (c *Compare) evaluateRow(ctx context.Context, t *tally, s Sender) {
	pub, dr := c.check(ctx, &s)
	i, j := resultIndex(pub.Result), resultIndex(dr.Result)
	t.rows++
	t.counts[i][j]++
	t.messages[i][j] += max(s.Count, 1)
	if i != j && c.keeps(t.counts[i][j]) {
		t.changed = append(t.changed, Row{Sender: s, Published: outcomeOf(&pub), Draft: outcomeOf(&dr)})
	}
}

// keeps reports whether a tally keeps the nth row (from 1) of a change:
// the report lists the first Examples rows of each, so a tally needs no
// more of them, unless OnChange wants every one.
func (c *Compare) keeps(n int) bool {
	return c.OnChange != nil || c.Examples < 0 || n <= c.Examples
}

// check evaluates a row with the published record and with the draft.
func (c *Compare) check(ctx context.Context, s *Sender) (pub, dr spf.Outcome) {
	if c.RowContext != nil {
		var cancel context.CancelFunc
		ctx, cancel = c.RowContext(ctx)
		defer cancel()
	}
	return c.Published.Check(ctx, s.IP, s.HELO, s.MailFrom), c.Draft.Check(ctx, s.IP, s.HELO, s.MailFrom)
}

// firstDataLine returns the first line of data that is neither blank nor a
// comment, and its index (0 for the first line).
func firstDataLine(data []byte) ([]byte, int, bool) {
	for n := 0; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if !skipLine(trimEOL(line)) {
			return line, n, true
		}
	}
	return nil, 0, false
}

// buffers hands out the buffers of chunks and takes them back, so that
// the chunks in flight reuse a few buffers for the whole file (a
// sync.Pool is emptied by every garbage collection, and a comparison of a
// million rows runs a hundred of them).
type buffers chan []byte

func (b buffers) get() []byte {
	select {
	case buf := <-b:
		return buf[:0]
	default:
		return make([]byte, 0, chunkSize)
	}
}

func (b buffers) put(buf []byte) {
	select {
	case b <- buf:
	default:
	}
}

// splitChunks reads r and hands emit chunks of whole lines, numbered in
// order. A line longer than a chunk becomes a chunk of its own with long
// set. It stops when emit returns false.
func splitChunks(ctx context.Context, r io.Reader, bufs buffers, emit func(*chunk) bool) error {
	seq, line := 0, 1
	var carry []byte // the start of a line not yet ended
	skipping := false
	for eof := false; !eof; {
		if ctx.Err() != nil {
			return nil
		}
		buf := bufs.get()
		buf = append(buf, carry...)
		for len(buf) < cap(buf) && !eof {
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
		}
		if skipping { // the rest of an overlong line
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				carry = carry[:0]
				bufs.put(buf)
				continue
			}
			skipping = false
			line++
			buf = append(buf[:0], buf[i+1:]...)
		}
		end := bytes.LastIndexByte(buf, '\n') + 1
		if eof {
			end = len(buf)
		}
		if end == 0 && len(buf) > 0 { // no line end in a whole chunk
			start := bytes.Clone(buf[:maxRowText])
			if !emit(&chunk{seq: seq, firstLine: line, data: start, long: true}) {
				return nil
			}
			seq++
			skipping = true
			carry = carry[:0]
			bufs.put(buf)
			continue
		}
		carry = append(carry[:0], buf[end:]...)
		if end == 0 {
			bufs.put(buf)
			continue
		}
		ch := &chunk{seq: seq, firstLine: line, data: buf[:end]}
		line += bytes.Count(ch.data, []byte{'\n'})
		seq++
		if !emit(ch) {
			return nil
		}
	}
	return nil
}
