package lint

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"spflab/finding"
)

// WriteText writes rep for a terminal: the tree with what each term
// costs, the lookup budget, the address space authorised, then each
// finding with a caret under its column and its fix, and the counts.
func WriteText(w io.Writer, rep *Report) error {
	bw := bufio.NewWriter(w)
	writeTree(bw, rep)
	fmt.Fprintf(bw, "\nDNS-querying terms: %d/%d   void lookups: %d/%d", rep.Lookups, rep.MaxLookups, rep.VoidLookups, rep.MaxVoidLookups)
	if rep.Truncated {
		fmt.Fprint(bw, "   (tree too large: not followed to the end)")
	}
	fmt.Fprintln(bw)
	if rep.Stop != nil {
		fmt.Fprintln(bw, rep.Stop)
	}
	if len(rep.Voids) > 0 {
		voids := make([]string, len(rep.Voids))
		for i, v := range rep.Voids {
			voids[i] = fmt.Sprintf("%q (%s, column %d) for %s", v.Term, v.Domain, v.Column, v.Clients)
		}
		fmt.Fprintln(bw, "void lookups made by: "+strings.Join(voids, ", "))
	}
	fmt.Fprintln(bw, "authorised: "+rep.Space.String())
	if err := finding.WriteText(bw, rep.Findings); err != nil {
		return err
	}
	fmt.Fprintf(bw, "\n%s\n", finding.Counts(rep.Findings))
	return bw.Flush()
}

// treeLine is a line of the printed tree: a record, or a term and what it
// costs.
type treeLine struct{ text, note string }

// writeTree writes the tree, the notes of the terms in one column.
func writeTree(w io.Writer, rep *Report) {
	lines := treeLines(nil, rep.Tree, 0, rep.Draft)
	width := 0
	for _, l := range lines {
		if l.note != "" {
			width = max(width, len(l.text))
		}
	}
	for _, l := range lines {
		if l.note == "" {
			fmt.Fprintln(w, l.text)
		} else {
			fmt.Fprintf(w, "%-*s  %s\n", width, l.text, l.note)
		}
	}
}

// treeLines appends the lines of one record of the tree and its terms,
// indented by depth.
func treeLines(lines []treeLine, n *Node, depth int, draft bool) []treeLine {
	indent := strings.Repeat("  ", depth)
	head := indent + n.Domain
	if depth == 0 && draft {
		head += " (draft)"
	}
	switch {
	case n.Problem != "" && n.Record != "":
		head += fmt.Sprintf(": %q: %s", n.Record, n.Problem)
	case n.Problem != "":
		head += ": " + n.Problem
	default:
		head += fmt.Sprintf(": %q (%s; %s)", n.Record, count(n.Lookups, "lookup"), n.Space)
	}
	lines = append(lines, treeLine{text: head})
	for _, r := range n.Records {
		lines = append(lines, treeLine{text: indent + "  " + strconv.Quote(r)})
	}
	for _, t := range n.Terms {
		lines = append(lines, treeLine{text: indent + "  " + t.Text, note: termNote(&t)})
		if t.Target != nil {
			lines = treeLines(lines, t.Target, depth+2, false)
		}
	}
	return lines
}

// termNote says what a term of the tree costs and finds.
func termNote(t *Term) string {
	var notes []string
	switch {
	case t.Lookups == 1:
		notes = append(notes, "lookup #"+strconv.Itoa(t.Position))
	case t.Lookups > 1:
		notes = append(notes, fmt.Sprintf("lookups #%d-#%d", t.Position, t.Position+t.Lookups-1))
	}
	if t.Stop {
		notes = append(notes, "a receiver stops here: permerror")
	}
	if len(t.Hosts) > 0 {
		hosts := make([]string, len(t.Hosts))
		for i, h := range t.Hosts {
			hosts[i] = h.Name + " (" + count(h.Addresses, "address") + ")"
			if h.Problem != "" {
				hosts[i] = h.Name + " (" + h.Problem + ")"
			}
		}
		notes = append(notes, count(len(t.Hosts), "host")+": "+strings.Join(hosts, ", "))
	}
	if t.Void != "" {
		notes = append(notes, fmt.Sprintf("void lookup #%d for %s", t.VoidNumber, t.Void))
	}
	if t.Note != "" {
		notes = append(notes, t.Note)
	}
	return strings.Join(notes, "; ")
}
