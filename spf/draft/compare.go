// Package draft compares a draft SPF record with the published one over the
// senders a receiver has seen: for every row of a senders file (client IP,
// MAIL FROM, HELO) it runs the SPF check of RFC 7208 §2.4 once against the
// published DNS and once with the draft in place, and reports the rows
// whose result would change, grouped by change.
//
// A senders file streams through in chunks of lines that parallel workers
// each read, parse and evaluate in turn; only counts and a few example
// rows per change are kept, so memory does not grow with the file.
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
	"time"

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
	// OnBadRow, when set, is called for every bad row, in file order,
	// one call at a time (from the goroutines of Run).
	OnBadRow func(*RowError)
	// OnChange, when set, is called for every row whose result changes, in
	// file order, one call at a time.
	OnChange func(Row)
	// RowContext, when set, derives the context each row is evaluated
	// under (both checks), e.g. a deadline per row so that a slow DNS
	// server cannot hold a row longer than a receiver would wait. It is
	// called when a lookup of the row first uses the context: a row
	// answered from memory (a zone, or a Cache holding the answers) never
	// does, and costs no timer.
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
	firstLine int
	data      []byte
	// long is set for a line longer than a chunk, which is skipped; data
	// is then its start.
	long bool

	format     *Format
	headerLine int // the line of the header, 0 for none
}

// tally is what a worker found in one piece of the input.
type tally struct {
	seq      int // the piece's place in the input
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
	workers := c.workers()
	bufs := make(buffers, 4*workers+2)
	s := &splitter{ctx: ctx, r: withinBudget(r), bufs: bufs, line: 1, format: &DefaultFormat}
	rep := parallel(ctx, c, workers, s.next, func(ch *chunk) *tally {
		t := c.evaluate(ctx, ch)
		if !ch.long {
			bufs.put(ch.data)
		}
		return t
	})
	err = s.err
	if err == nil {
		err = context.Cause(ctx)
	}
	return rep, err
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
	const batch = 64
	next := 0
	take := func() ([]Sender, bool) {
		if next >= len(senders) || ctx.Err() != nil {
			return nil, false
		}
		b := senders[next:min(len(senders), next+batch)]
		next += len(b)
		return b, true
	}
	rep := parallel(ctx, c, c.workers(), take, func(b []Sender) *tally {
		t := new(tally)
		for _, s := range b {
			if ctx.Err() != nil {
				break
			}
			c.evaluateRow(ctx, t, s)
		}
		return t
	})
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

func (c *Compare) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// parallel runs workers goroutines, each of which takes the next piece of
// the input (one taker at a time), evaluates it and adds its tally to the
// report, in input order. There is no goroutine besides the workers and
// no channel per piece: on one core a worker runs alone, on two the
// workers do not wait for each other but to take a piece or add a tally,
// each a few microseconds per thousand rows. At most 4 pieces per worker
// wait for an earlier piece's tally, so that a slow piece cannot make the
// report hold the whole input.
func parallel[P any](ctx context.Context, c *Compare, workers int, take func() (P, bool), evaluate func(P) *tally) *Report {
	var (
		takeMu sync.Mutex
		seq    int
		ahead  = make(chan struct{}, 4*workers)
		rep    = newReporter(c)
		wg     sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				select {
				case ahead <- struct{}{}:
				case <-ctx.Done():
					return
				}
				takeMu.Lock()
				p, ok := take()
				n := seq
				if ok {
					seq++
				}
				takeMu.Unlock()
				if !ok {
					<-ahead
					return
				}
				t := evaluate(p)
				t.seq = n
				rep.add(t, func() { <-ahead })
			}
		})
	}
	wg.Wait()
	return rep.finish()
}

// reporter adds the tallies of a run to a report in input order.
type reporter struct {
	c      *Compare
	maxBad int

	mu       sync.Mutex
	rep      *Report
	pending  map[int]*tally // tallies that came before an earlier one
	next     int            // the seq of the next tally to add
	counts   [numResults][numResults]int
	messages [numResults][numResults]int
	changes  [numResults][numResults]*Change
}

func newReporter(c *Compare) *reporter {
	return &reporter{
		c:       c,
		maxBad:  cmp.Or(c.MaxBadRows, 100),
		rep:     &Report{Published: map[spf.Result]int{}, Draft: map[spf.Result]int{}},
		pending: map[int]*tally{},
	}
}

// add takes t, and every tally it was the last missing one before, in
// order, calling taken after each one.
func (r *reporter) add(t *tally, taken func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[t.seq] = t
	for t := r.pending[r.next]; t != nil; t = r.pending[r.next] {
		delete(r.pending, r.next)
		r.next++
		r.take(t)
		taken()
	}
}

// take adds t to the report, calling OnBadRow and OnChange.
func (r *reporter) take(t *tally) {
	c, rep := r.c, r.rep
	rep.Rows += t.rows
	rep.BadRows += len(t.bad)
	for _, b := range t.bad {
		if len(rep.Bad) < r.maxBad {
			rep.Bad = append(rep.Bad, b)
		}
		if c.OnBadRow != nil {
			c.OnBadRow(b)
		}
	}
	for i := range numResults {
		for j := range numResults {
			r.counts[i][j] += t.counts[i][j]
			r.messages[i][j] += t.messages[i][j]
		}
	}
	for _, row := range t.changed {
		i, j := resultIndex(row.Published.Result), resultIndex(row.Draft.Result)
		ch := r.changes[i][j]
		if ch == nil {
			ch = &Change{From: results[i], To: results[j]}
			r.changes[i][j] = ch
		}
		if c.Examples < 0 || len(ch.Rows) < c.Examples {
			ch.Rows = append(ch.Rows, row)
		}
		if c.OnChange != nil {
			c.OnChange(row)
		}
	}
}

// finish returns the report, its totals and changes filled in.
func (r *reporter) finish() *Report {
	rep := r.rep
	for i := range numResults {
		for j := range numResults {
			n := r.counts[i][j]
			if n == 0 {
				continue
			}
			rep.Published[results[i]] += n
			rep.Draft[results[j]] += n
			rep.Messages += r.messages[i][j]
			if i != j {
				rep.Changed += n
				rep.ChangedMessages += r.messages[i][j]
				ch := r.changes[i][j]
				if ch == nil { // no examples kept
					ch = &Change{From: results[i], To: results[j]}
				}
				ch.Count, ch.Messages = n, r.messages[i][j]
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
func (c *Compare) evaluate(ctx context.Context, ch *chunk) *tally {
	t := new(tally)
	if ch.long {
		t.bad = append(t.bad, &RowError{Line: ch.firstLine, Row: string(ch.data) + "...", Reason: fmt.Sprintf("longer than %d bytes", maxLine)})
		return t
	}
	var fields [8][]byte
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
		s, ok, err := parseRow(text, line, f, fields[:0])
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

// evaluateRow checks one sender with the published record and with the
// draft, and counts it in t.
func (c *Compare) evaluateRow(ctx context.Context, t *tally, s Sender) {
	if c.RowContext != nil {
		rc := &rowContext{parent: ctx, derive: c.RowContext}
		defer rc.end()
		ctx = rc
	}
	pub := c.Published.Check(ctx, s.IP, s.HELO, s.MailFrom)
	dr := c.Draft.Check(ctx, s.IP, s.HELO, s.MailFrom)
	i, j := resultIndex(pub.Result), resultIndex(dr.Result)
	t.rows++
	t.counts[i][j]++
	t.messages[i][j] += max(s.Count, 1)
	if i != j && c.keeps(t.counts[i][j]) {
		t.changed = append(t.changed, Row{Sender: s, Published: outcomeOf(&pub), Draft: outcomeOf(&dr)})
	}
}

// rowContext is the context of a row under RowContext: it derives the
// row's context when a lookup first uses it. Deriving one (a timer, and
// the parent's lock) costs more than a row answered from a cache.
type rowContext struct {
	parent context.Context
	derive func(context.Context) (context.Context, context.CancelFunc)
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
}

func (r *rowContext) get() context.Context {
	r.once.Do(func() { r.ctx, r.cancel = r.derive(r.parent) })
	return r.ctx
}

func (r *rowContext) Deadline() (time.Time, bool) { return r.get().Deadline() }
func (r *rowContext) Done() <-chan struct{}       { return r.get().Done() }
func (r *rowContext) Err() error                  { return r.get().Err() }
func (r *rowContext) Value(key any) any           { return r.get().Value(key) }

// end ends the row: it cancels the context derived, if one was.
func (r *rowContext) end() {
	r.once.Do(func() { r.ctx, r.cancel = r.parent, func() {} })
	r.cancel()
}

// keeps reports whether a tally keeps the nth row (from 1) of a change:
// the report lists the first Examples rows of each, so a tally needs no
// more of them, unless OnChange wants every one.
func (c *Compare) keeps(n int) bool {
	return c.OnChange != nil || c.Examples < 0 || n <= c.Examples
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
// million rows runs dozens of them).
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

// splitter cuts a senders file into chunks of whole lines. A line longer
// than a chunk becomes a chunk of its own with long set. The format comes
// from the first line that is neither blank nor a comment; chunks before
// it have no rows. It is not safe for concurrent use.
type splitter struct {
	ctx  context.Context
	r    io.Reader
	bufs buffers
	err  error // the error that ended reading, if not the end of r

	line     int    // the number of the next line
	carry    []byte // the start of a line not yet ended
	skipping bool   // the rest of an overlong line
	eof      bool

	format     *Format
	headerLine int
	detected   bool
}

// next returns the next chunk; false at the end of the input, when
// reading failed (err) or when ctx ended.
func (s *splitter) next() (*chunk, bool) {
	for !s.eof {
		if s.ctx.Err() != nil {
			return nil, false
		}
		buf := s.bufs.get()
		buf = append(buf, s.carry...)
		for len(buf) < cap(buf) && !s.eof {
			n, err := s.r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				s.eof = true
			} else if err != nil {
				s.err, s.eof = err, true
				return nil, false
			}
		}
		if s.skipping {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				s.carry = s.carry[:0]
				s.bufs.put(buf)
				continue
			}
			s.skipping = false
			s.line++
			buf = append(buf[:0], buf[i+1:]...)
		}
		end := bytes.LastIndexByte(buf, '\n') + 1
		if s.eof {
			end = len(buf)
		}
		if end == 0 && len(buf) > 0 { // no line end in a whole chunk
			ch := &chunk{firstLine: s.line, data: bytes.Clone(buf[:maxRowText]), long: true}
			s.skipping = true
			s.carry = s.carry[:0]
			s.bufs.put(buf)
			return ch, true
		}
		s.carry = append(s.carry[:0], buf[end:]...)
		if end == 0 {
			s.bufs.put(buf)
			continue
		}
		ch := &chunk{firstLine: s.line, data: buf[:end]}
		s.line += bytes.Count(ch.data, []byte{'\n'})
		if !s.detected {
			if line, n, ok := firstDataLine(ch.data); ok {
				f, header := DetectFormat(line)
				if header {
					s.headerLine = ch.firstLine + n
				}
				s.format, s.detected = &f, true
			}
		}
		ch.format, ch.headerLine = s.format, s.headerLine
		return ch, true
	}
	return nil, false
}
