package budget

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SyntaxError is a YAML document that does not parse, at its line.
type SyntaxError struct {
	File string
	Line int // 1-based; 0 only when the parser gave no place at all
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// YAMLDecoder reads the documents of a YAML stream as node trees, each
// checked with CheckYAML before it is returned: a caller walks only trees
// whose nesting and alias expansion are within budget.
type YAMLDecoder struct {
	data []byte
	file string
	dec  *yaml.Decoder
	err  error // the first error; the decoder cannot go on after it
}

// NewYAMLDecoder returns a decoder of data, which a Reader read within its
// file's budget; file names it in errors.
func NewYAMLDecoder(data []byte, file string) *YAMLDecoder {
	return &YAMLDecoder{data: data, file: file, dec: yaml.NewDecoder(bytes.NewReader(data))}
}

// Decode reads the next document into doc. It returns io.EOF after the
// last one, a *SyntaxError for YAML that does not parse (with the line the
// parser gives, or the line of the alias whose anchor is unknown), or the
// *Error of a budget CheckYAML refuses.
func (d *YAMLDecoder) Decode(doc *yaml.Node) error {
	if d.err != nil {
		return d.err
	}
	err := d.dec.Decode(doc)
	switch {
	case errors.Is(err, io.EOF):
		return err
	case err != nil:
		d.err = syntaxError(d.file, err, d.data)
	default:
		d.err = CheckYAML(doc, d.file)
	}
	return d.err
}

// syntaxError gives a YAML error ("yaml: line N: msg") its line.
func syntaxError(file string, err error, data []byte) *SyntaxError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return &SyntaxError{File: file, Line: n, Msg: m}
			}
		}
	}
	if rest, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
		anchor, _, _ := strings.Cut(rest, "' referenced")
		return &SyntaxError{File: file, Line: aliasLine(data, anchor), Msg: msg}
	}
	// The parser leaves out the line when the problem is on the first one
	// (its lines count from 0, and 0 means "none").
	return &SyntaxError{File: file, Line: 1, Msg: msg}
}

// aliasLine returns the line of the first alias *anchor in data, 0 when
// there is none.
func aliasLine(data []byte, anchor string) int {
	alias := []byte("*" + anchor)
	for off := 0; ; {
		i := bytes.Index(data[off:], alias)
		if i < 0 {
			return 0
		}
		i += off
		end := i + len(alias)
		before := i == 0 || strings.IndexByte(" \t\r\n[{,:-?", data[i-1]) >= 0
		after := end == len(data) || strings.IndexByte(" \t\r\n]},", data[end]) >= 0
		if before && after {
			return 1 + bytes.Count(data[:i], []byte{'\n'})
		}
		off = i + 1
	}
}

// CheckYAML refuses a node tree, with an *Error at the offending line,
// that nests deeper than the YAMLDepth budget or whose aliases, each
// weighed by the size of the tree it stands for (aliases within it
// expanded too), add more than the AliasNodes budget of nodes or the
// AliasText budget of scalar text in all; an alias to a node that contains
// it is an error too. It takes time in proportion to the tree as parsed,
// never as expanded: walk a decoded tree with it before anything follows
// its aliases.
func CheckYAML(n *yaml.Node, file string) error {
	w := walker{
		file:     file,
		maxDepth: int(YAMLDepth.Limit()),
		maxNodes: AliasNodes.Limit(),
		maxText:  AliasText.Limit(),
		anchored: make(map[*yaml.Node]*size),
	}
	_, err := w.walk(n, 0)
	return err
}

// size is what a node stands for with its aliases expanded.
type size struct {
	nodes, text int64
	height      int // levels, the node's own included
	done        bool
}

type walker struct {
	file              string
	maxDepth          int
	maxNodes, maxText int64
	nodes, text       int64 // added by the aliases met so far
	anchored          map[*yaml.Node]*size
}

// walk returns the expanded size of n, at depth levels below the top.
func (w *walker) walk(n *yaml.Node, depth int) (size, error) {
	if n == nil {
		return size{}, nil
	}
	if depth > w.maxDepth {
		return size{}, &Error{File: w.file, Line: n.Line, Kind: YAMLDepth, Detail: fmt.Sprintf("this node is %d levels deep", depth)}
	}
	if n.Kind == yaml.AliasNode {
		return w.alias(n, depth)
	}
	var memo *size
	if n.Anchor != "" {
		if memo = w.anchored[n]; memo != nil {
			return *memo, nil // an anchor met before, in an earlier document
		}
		memo = &size{}
		w.anchored[n] = memo
	}
	s := size{nodes: 1, text: int64(len(n.Value)), height: 1}
	for _, c := range n.Content {
		cs, err := w.walk(c, depth+1)
		if err != nil {
			return size{}, err
		}
		s.nodes = add(s.nodes, cs.nodes)
		s.text = add(s.text, cs.text)
		s.height = max(s.height, cs.height+1)
	}
	if memo != nil {
		*memo = s
		memo.done = true
	}
	return s, nil
}

// alias counts what an alias adds, the size of its anchor's tree.
func (w *walker) alias(n *yaml.Node, depth int) (size, error) {
	at := func(detail string, kind Kind) error {
		return &Error{File: w.file, Line: n.Line, Kind: kind, Detail: detail}
	}
	if n.Alias == nil {
		return size{nodes: 1, height: 1}, nil
	}
	memo := w.anchored[n.Alias]
	switch {
	case memo != nil && !memo.done:
		return size{}, &SyntaxError{File: w.file, Line: n.Line, Msg: fmt.Sprintf("alias *%s is inside the node its anchor names: it would never end", n.Value)}
	case memo == nil: // an anchor not walked yet: walk it first
		if _, err := w.walk(n.Alias, depth); err != nil {
			return size{}, err
		}
		memo = w.anchored[n.Alias]
		if memo == nil {
			return size{nodes: 1, height: 1}, nil
		}
	}
	s := *memo
	w.nodes = add(w.nodes, s.nodes)
	w.text = add(w.text, s.text)
	switch {
	case w.nodes > w.maxNodes:
		return size{}, at(fmt.Sprintf("with alias *%s, the aliases so far stand for %d nodes", n.Value, w.nodes), AliasNodes)
	case w.text > w.maxText:
		return size{}, at(fmt.Sprintf("with alias *%s, the aliases so far repeat %d bytes of text", n.Value, w.text), AliasText)
	case depth+s.height-1 > w.maxDepth:
		return size{}, at(fmt.Sprintf("with alias *%s, this node is %d levels deep", n.Value, depth+s.height-1), YAMLDepth)
	}
	return s, nil
}

// add adds sizes, saturating far below overflow.
func add(a, b int64) int64 {
	const most = 1 << 62
	if a >= most-b {
		return most
	}
	return a + b
}
