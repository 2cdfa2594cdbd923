package budget

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLimitFromEnv(t *testing.T) {
	tests := []struct {
		env  string
		want int64
	}{
		{"", 1 << 20},
		{"2", 2 << 20},
		{" 0.5 ", 512 << 10},
		{"abc", 1 << 20},
		{"0", 1 << 20},
		{"-3", 1 << 20},
		{"NaN", 1 << 20},
		{"1e300", 1 << 62},
		{"1e-300", 1},
	}
	for _, tt := range tests {
		t.Setenv(Env, tt.env)
		if got := LessonFile.Limit(); got != tt.want {
			t.Errorf("%s=%q: LessonFile.Limit() = %d, want %d", Env, tt.env, got, tt.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{File: "a.yaml", Line: 3, Kind: LessonFile, Detail: "the file goes on past it"},
			"a.yaml:3: over the budget of 1 MiB for a lesson file: the file goes on past it (SPFLAB_BUDGET=N multiplies every budget by N)"},
		{&Error{File: "s.yml.gz", Kind: SuiteFile},
			"s.yml.gz: over the budget of 1 MiB for a suite file (compressed or not) (SPFLAB_BUDGET=N multiplies every budget by N)"},
		{&Error{Line: 7, Kind: SendersFile, Detail: "x"},
			"line 7: over the budget of 256 MiB for a senders file: x (SPFLAB_BUDGET=N multiplies every budget by N)"},
		{&Error{Kind: AliasNodes}, "over the budget of 10000 nodes for what the YAML aliases of a document expand to (SPFLAB_BUDGET=N multiplies every budget by N)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
	t.Setenv(Env, "1.5")
	if got, want := ZoneRecords.String(), "the budget of 150000 records for the zones of a file"; got != want {
		t.Errorf("with %s=1.5: %q, want %q", Env, got, want)
	}
}

func TestQuote(t *testing.T) {
	long := strings.Repeat("x", 100<<20)
	tests := []struct{ in, want string }{
		{"short", `"short"`},
		{"a\x1bb", `"a\x1bb"`},
		{strings.Repeat("y", 64), `"` + strings.Repeat("y", 64) + `"`},
		{long, `"` + strings.Repeat("x", 64) + `"... (104857600 bytes)`},
		{strings.Repeat("y", 63) + "é" + strings.Repeat("z", 10), `"` + strings.Repeat("y", 63) + `"... (75 bytes)`}, // not cut inside é
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%.80q) = %.100s, want %.100s", tt.in, got, tt.want)
		}
	}
}

// lines returns n lines of text, each "line\n".
func lines(n int) string { return strings.Repeat("line\n", n) }

func TestReader(t *testing.T) {
	const limit = 1 << 20
	tests := []struct {
		name     string
		input    string
		raw      bool
		byByte   bool
		wantLine int // 0: no error
	}{
		{"exactly the budget", strings.Repeat("x", limit), false, false, 0},
		{"one byte more", strings.Repeat("x", limit) + "y", false, false, 1},
		{"lines", lines(limit/5) + "more\n", false, false, limit/5 + 1},
		{"lines by byte", lines(limit/5) + "more\n", false, true, limit/5 + 1},
		{"exactly by byte", lines(limit/5 + 1)[:limit], false, true, 0},
		{"raw: no line", lines(limit/5) + "more\n", true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *Reader
			if tt.raw {
				r = NewRawReader(strings.NewReader(tt.input), "in.txt", LessonFile)
			} else {
				r = NewReader(strings.NewReader(tt.input), "in.txt", LessonFile)
			}
			var n int
			var err error
			if tt.byByte {
				for err == nil {
					if _, err = r.ReadByte(); err == nil {
						n++
					}
				}
				if err == io.EOF {
					err = nil
				}
			} else {
				var data []byte
				data, err = io.ReadAll(r)
				n = len(data)
			}
			if n > limit {
				t.Errorf("read %d bytes, past the budget of %d", n, limit)
			}
			var be *Error
			over := len(tt.input) > limit
			switch {
			case !over && err != nil:
				t.Fatalf("error %v within the budget", err)
			case over && !errors.As(err, &be):
				t.Fatalf("error %v, want an *Error", err)
			case over && (be.Line != tt.wantLine || be.File != "in.txt" || be.Kind != LessonFile || r.Err() != err):
				t.Errorf("error %+v (Err %v), want line %d", be, r.Err(), tt.wantLine)
			}
		})
	}
}

func TestCheckSize(t *testing.T) {
	data := []byte(lines(300_000)) // 1.5 MB
	err := CheckSize(data, "big.yaml", LessonFile)
	var be *Error
	if !errors.As(err, &be) || be.Line != (1<<20)/5+1 {
		t.Errorf("CheckSize: %v, want an error at line %d", err, (1<<20)/5+1)
	}
	if err := CheckSize(data[:1<<20], "ok.yaml", LessonFile); err != nil {
		t.Errorf("CheckSize of 1 MiB: %v", err)
	}
}

// laughs is a YAML document of n levels of aliases, each repeating the
// level before k times: k^n nodes once expanded.
func laughs(n, k int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [lol]\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), k), ", "))
	}
	return b.String()
}

func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

func TestDecodeYAML(t *testing.T) {
	txt := strings.Repeat("t", 4096)
	var textBomb strings.Builder
	textBomb.WriteString("first: &txt " + txt + "\nlist:\n")
	for range 300 {
		textBomb.WriteString("  - *txt\n")
	}
	tests := []struct {
		name string
		doc  string
		want string // the error; "" for none
	}{
		{"plain", "a: [1, 2, {b: c}]\n", ""},
		{"a few aliases", laughs(3, 5), ""}, // 5^3 nodes
		{"billion laughs", laughs(9, 10),
			"in.yaml:5: over the budget of 10000 nodes for what the YAML aliases of a document expand to: with alias *l3, the aliases so far stand for 10784 nodes"},
		{"text", textBomb.String(),
			"in.yaml:259: over the budget of 1 MiB for the text YAML aliases repeat in a document: with alias *txt, the aliases so far repeat 1052672 bytes of text"},
		{"deep", "a: 1\nb: " + nested(63) + "\n", ""},
		{"too deep", "a: 1\nb: " + nested(64) + "\n",
			"in.yaml:2: over the budget of 64 levels for the nesting of a YAML document: this node is 65 levels deep"},
		{"too deep with an alias", "a: &a " + nested(40) + "\nb: " + strings.Repeat("[", 30) + "*a" + strings.Repeat("]", 30) + "\n",
			"in.yaml:2: over the budget of 64 levels for the nesting of a YAML document: with alias *a, this node is 71 levels deep"},
		{"cycle", "a: &a [1, *a]\n", "in.yaml:1: alias *a is inside the node its anchor names: it would never end"},
		{"syntax on line 1", "a: b: c\n", "in.yaml:1: mapping values are not allowed in this context"},
		{"syntax on line 2", "a: 1\nb: [\n", "in.yaml:2: did not find expected node content"},
		{"yaml's own depth on line 1", nested(20000), "in.yaml:1: exceeded max depth of 10000"},
		{"unknown anchor", "a: 1\nb: '*x'\nc: [*x]\n", "in.yaml:3: unknown anchor 'x' referenced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := NewYAMLDecoder([]byte(tt.doc), "in.yaml")
			var doc yaml.Node
			err := dec.Decode(&doc)
			got := ""
			if err != nil {
				got = strings.TrimSuffix(err.Error(), " (SPFLAB_BUDGET=N multiplies every budget by N)")
			}
			if got != tt.want {
				t.Errorf("error\n%s\nwant\n%s", got, tt.want)
			}
			if err != nil && !errors.Is(dec.Decode(&doc), err) {
				t.Error("the decoder went on after an error")
			}
		})
	}
}

// TestAnchorAcrossDocuments: an alias to an anchor of an earlier document
// counts like any other, with the aliases inside the anchor's tree counted
// again (l1 to l3 add 2340 nodes, each *l3 2111: over at the fourth).
func TestAnchorAcrossDocuments(t *testing.T) {
	doc := laughs(3, 10) + "---\n" + strings.Repeat("- *l3\n", 11)
	dec := NewYAMLDecoder([]byte(doc), "s.yml")
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		t.Fatal(err)
	}
	err := dec.Decode(&n)
	var be *Error
	if !errors.As(err, &be) || be.Kind != AliasNodes || be.Line != 9 {
		t.Errorf("second document: %v, want the alias budget at line 9", err)
	}
}
