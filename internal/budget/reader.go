package budget

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// Reader reads an input through, counting its bytes and lines, and fails
// with an *Error as soon as the input holds more bytes than its budget: a
// file of gigabytes costs one budget's worth of reading. It is an
// io.ByteReader too, so a parser that reads byte by byte through it (the
// BIND zone parser) stops exactly there.
type Reader struct {
	br    *bufio.Reader
	file  string
	kind  Kind
	limit int64
	lines bool  // count lines, for errors
	n     int64 // bytes read
	line  int   // the line of the next byte
	err   error // the budget's error, once over
}

// NewReader returns a Reader of r within the budget kind (one of the file
// sizes); file names the input in errors, which give the line where the
// input went over.
func NewReader(r io.Reader, file string, kind Kind) *Reader {
	return &Reader{br: bufio.NewReader(r), file: file, kind: kind, limit: kind.Limit(), lines: true, line: 1}
}

// NewRawReader is NewReader for binary input (a compressed file): its
// errors give no line.
func NewRawReader(r io.Reader, file string, kind Kind) *Reader {
	rd := NewReader(r, file, kind)
	rd.lines = false
	return rd
}

// Read reads up to the budget, then fails with an *Error if the input
// goes on.
func (r *Reader) Read(p []byte) (int, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	if rest := r.limit - r.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.br.Read(p)
	r.count(p[:n])
	return n, err
}

// ReadByte reads one byte, like Read.
func (r *Reader) ReadByte() (byte, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	c, err := r.br.ReadByte()
	if err == nil {
		r.count([]byte{c})
	}
	return c, err
}

// Peek returns the next n bytes without reading them, fewer at the end of
// the input or of the budget.
func (r *Reader) Peek(n int) []byte {
	n = int(min(int64(n), r.limit-r.n))
	b, _ := r.br.Peek(n)
	return b
}

// Line returns the line of the next byte, from 1.
func (r *Reader) Line() int { return r.line }

// Err returns the budget's *Error once the input went over it, else nil.
func (r *Reader) Err() error { return r.err }

// check returns the budget's error when the budget is spent and the input
// goes on.
func (r *Reader) check() error {
	if r.err != nil || r.n < r.limit {
		return r.err
	}
	if _, err := r.br.Peek(1); err != nil {
		return err // io.EOF: exactly at the budget is within it
	}
	e := &Error{File: r.file, Kind: r.kind, Detail: "the file goes on past it"}
	if r.lines {
		e.Line = r.line
	}
	r.err = e
	return e
}

func (r *Reader) count(p []byte) {
	r.n += int64(len(p))
	if r.lines {
		r.line += bytes.Count(p, []byte{'\n'})
	}
}

// CheckSize refuses data already in memory that holds more bytes than the
// budget kind, as a Reader would have refused it.
func CheckSize(data []byte, file string, kind Kind) error {
	if limit := kind.Limit(); int64(len(data)) > limit {
		return &Error{File: file, Line: 1 + bytes.Count(data[:limit], []byte{'\n'}), Kind: kind, Detail: "the file goes on past it"}
	}
	return nil
}

// ReadAll reads r within the budget kind.
func ReadAll(r io.Reader, file string, kind Kind) ([]byte, error) {
	return io.ReadAll(NewReader(r, file, kind))
}

// ReadFile reads the file at path within the budget kind; errors name it
// path.
func ReadFile(path string, kind Kind) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path, kind)
}
