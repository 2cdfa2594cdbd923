package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyNames are the names the help gives keys that have a symbol.
var keyNames = map[string]string{
	"up": "↑", "down": "↓", "left": "←", "right": "→", "pgdown": "pgdn",
}

// keyName is how the help names a key.
func keyName(k string) string {
	if n, ok := keyNames[k]; ok {
		return n
	}
	return k
}

// bind makes a binding whose help names every one of its keys, so that
// the help says what each key does.
func bind(keys []string, desc string) key.Binding {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = keyName(k)
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(strings.Join(names, "/"), desc))
}

// brief is b for the status line: in a word, named by its first key or,
// for a pair like "[ ]" or "↑↓", by its help's name.
func brief(b key.Binding, desc string) key.Binding {
	name := keyName(b.Keys()[0])
	if k := b.Help().Key; strings.Contains(k, " ") || k == "↑↓" {
		name = b.Help().Key
	}
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(name, desc))
}

// keyMap is every key of the lab and the monitor, by what it does. Each
// key has one meaning in a state: ↑ and ↓ select replies, j, k, pgup and
// pgdn scroll the focused pane.
type keyMap struct {
	// Everywhere (outside text inputs).
	Help, Quit key.Binding
	// The lesson list.
	Up, Down, Open, Top, Bottom key.Binding
	// A lesson: its steps.
	Next, Back, Restart, NextLesson, Play, Faster, Slower key.Binding
	// A lesson: replies and panes.
	Earlier, Later, First, Newest, Focus, LineUp, LineDn, PageUp, PageDn, Wheel key.Binding
	Reply                                                                       key.Binding // the status line's ↑↓ (Earlier, Later)
	// A lesson: what else to do.
	Predict, Edit, Type, Save, Mouse, Lessons key.Binding
	// A prediction.
	Class, Result, Reveal, Cancel key.Binding
	// The record editor.
	Rerun, NextDomain, PrevDomain, Published key.Binding
	// Free typing.
	Send, History, StopTyping key.Binding
	// The monitor.
	Session, Follow, Hints, Mailbox key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Help: bind([]string{"?"}, "keys (this help)"),
		Quit: bind([]string{"q", "ctrl+c"}, "quit"),

		Up:     bind([]string{"up", "k"}, "previous lesson"),
		Down:   bind([]string{"down", "j"}, "next lesson"),
		Open:   bind([]string{"enter", "right", "l", "space"}, "open the lesson"),
		Top:    bind([]string{"home"}, "first lesson"),
		Bottom: bind([]string{"end"}, "last lesson"),

		Next:       bind([]string{"space", "right", "l"}, "next step"),
		Back:       bind([]string{"left", "h"}, "step back"),
		Restart:    bind([]string{"r"}, "restart the lesson"),
		NextLesson: bind([]string{"n"}, "next lesson, at the end of one"),
		Play:       bind([]string{"a"}, "auto-play on/off"),
		Faster:     bind([]string{"+", "="}, "auto-play faster"),
		Slower:     bind([]string{"-", "_"}, "auto-play slower"),

		Earlier: bind([]string{"up"}, "earlier reply"),
		Later:   bind([]string{"down"}, "later reply"),
		First:   bind([]string{"home"}, "first reply"),
		Newest:  bind([]string{"end", "G"}, "newest reply"),
		Reply:   key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "reply")),
		Focus:   bind([]string{"tab", "shift+tab"}, "the pane to scroll"),
		LineUp:  bind([]string{"k"}, "scroll up a line"),
		LineDn:  bind([]string{"j"}, "scroll down a line"),
		PageUp:  bind([]string{"pgup", "b"}, "scroll up a page"),
		PageDn:  bind([]string{"pgdown", "f"}, "scroll down a page"),
		Wheel:   key.NewBinding(key.WithHelp("wheel", "scroll the pane under the mouse")),

		Predict: bind([]string{"p"}, "predict mode on/off"),
		Edit:    bind([]string{"e"}, "edit an SPF record"),
		Type:    bind([]string{"t", ":"}, "type SMTP lines"),
		Save:    bind([]string{"s"}, "save the screen (SVG and text)"),
		Mouse:   bind([]string{"m"}, "mouse on/off"),
		Lessons: bind([]string{"esc", "backspace"}, "back to the lessons"),

		Class:  bind([]string{"2", "3", "4", "5"}, "reply class"),
		Result: key.NewBinding(key.WithKeys("p", "f", "s", "n", "o", "t", "e"), key.WithHelp("p f s n o t e", "SPF result")),
		Reveal: bind([]string{"space", "right"}, "reveal"),
		Cancel: bind([]string{"esc"}, "cancel"),

		Rerun:      bind([]string{"enter"}, "rerun with the draft"),
		NextDomain: bind([]string{"tab"}, "next domain"),
		PrevDomain: bind([]string{"shift+tab"}, "previous domain"),
		Published:  bind([]string{"ctrl+r"}, "published record"),

		Send:       bind([]string{"enter"}, "send the line"),
		History:    bind([]string{"up", "down"}, "earlier lines"),
		StopTyping: bind([]string{"esc"}, "stop typing"),

		Session: key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[ ]", "previous, next session")),
		Follow:  bind([]string{"F"}, "follow the newest session"),
		Hints:   bind([]string{"h"}, "how to connect, again"),
		Mailbox: bind([]string{"m"}, "the mailbox: the messages stored"),
	}
}

// keyGroup is bindings of one kind under a title.
type keyGroup struct {
	title string
	keys  []key.Binding
}

// keyHelp is the keys of one state: a few for the status line, all of
// them for the help.
type keyHelp struct {
	short []key.Binding
	full  []keyGroup
}

func (k keyMap) listHelp() keyHelp {
	return keyHelp{
		short: []key.Binding{brief(k.Up, "up"), brief(k.Down, "down"), brief(k.Open, "open"), brief(k.Predict, "predict"), brief(k.Help, "keys"), brief(k.Quit, "quit")},
		full: []keyGroup{
			{"The lessons", []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.Open}},
			{"More", []key.Binding{k.Predict, k.Save, k.Mouse}},
			{"Leave", []key.Binding{k.Help, k.Quit}},
		},
	}
}

func (k keyMap) lessonHelp() keyHelp {
	return keyHelp{
		short: []key.Binding{brief(k.Next, "next"), brief(k.Back, "back"), k.Reply, brief(k.Predict, "predict"), brief(k.Edit, "edit"), brief(k.Type, "type"), brief(k.Help, "keys"), brief(k.Lessons, "lessons"), brief(k.Play, "auto")},
		full: []keyGroup{
			{"Steps", []key.Binding{k.Next, k.Back, k.Restart, k.NextLesson, k.Play, k.Faster, k.Slower}},
			{"Replies and panes", []key.Binding{k.Earlier, k.Later, k.First, k.Newest, k.Focus, k.LineUp, k.LineDn, k.PageUp, k.PageDn, k.Wheel}},
			{"More", []key.Binding{k.Predict, k.Edit, k.Type, k.Save, k.Mouse}},
			{"Leave", []key.Binding{k.Lessons, k.Help, k.Quit}},
		},
	}
}

func (k keyMap) predictHelp(spf bool) keyHelp {
	first := k.Class
	if spf {
		first = k.Result
	}
	return keyHelp{
		short: []key.Binding{first, brief(k.Reveal, "reveal"), k.Cancel},
		full:  []keyGroup{{"Predict", []key.Binding{k.Class, k.Result, k.Reveal, k.Cancel, k.Help, k.Quit}}},
	}
}

func (k keyMap) editHelp() keyHelp {
	return keyHelp{
		short: []key.Binding{k.Rerun, k.NextDomain, k.Published, k.Cancel},
		full:  []keyGroup{{"Edit a record", []key.Binding{k.Rerun, k.NextDomain, k.PrevDomain, k.Published, k.Cancel}}},
	}
}

func (k keyMap) typeHelp() keyHelp {
	return keyHelp{
		short: []key.Binding{k.Send, k.History, k.StopTyping},
		full:  []keyGroup{{"Type SMTP", []key.Binding{k.Send, k.History, k.StopTyping}}},
	}
}

// monitorHelp is the keys of the monitor as it shows v; open says that a
// message of the mailbox is open.
func (k keyMap) monitorHelp(v monView, open bool) keyHelp {
	esc := bind([]string{"esc"}, "back")
	switch v {
	case viewHints:
		return keyHelp{
			short: []key.Binding{brief(k.Hints, "close"), esc, brief(k.Help, "keys"), brief(k.Quit, "quit")},
			full:  []keyGroup{{"How to connect", []key.Binding{k.Hints, esc, k.Help, k.Quit}}},
		}
	case viewMailbox:
		pick := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "pick a message"))
		opener := bind([]string{"enter"}, "open it")
		scroll := bind([]string{"j", "k", "pgup", "pgdown"}, "scroll it")
		short := []key.Binding{brief(pick, "pick"), brief(opener, "open"), esc, brief(k.Help, "keys"), brief(k.Quit, "quit")}
		if open {
			short = []key.Binding{key.NewBinding(key.WithKeys(scroll.Keys()...), key.WithHelp("j k pgup pgdn", "scroll")), brief(pick, "pick"), esc, brief(k.Help, "keys"), brief(k.Quit, "quit")}
		}
		return keyHelp{
			short: short,
			full:  []keyGroup{{"The mailbox", []key.Binding{pick, opener, scroll, bind([]string{"esc", "m"}, "back"), k.Help, k.Quit}}},
		}
	}
	scroll := key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup pgdn", "scroll"))
	return keyHelp{
		short: []key.Binding{brief(k.Session, "session"), k.Reply, brief(k.Focus, "pane"), scroll, brief(k.Mailbox, "mailbox"), brief(k.Hints, "hints"), brief(k.Help, "keys"), brief(k.Quit, "quit")},
		full: []keyGroup{
			{"Sessions", []key.Binding{k.Session, k.Follow, k.Earlier, k.Later, k.Newest}},
			{"Panes", []key.Binding{k.Focus, k.LineUp, k.LineDn, k.PageUp, k.PageDn}},
			{"More", []key.Binding{k.Mailbox, k.Hints}},
			{"Leave", []key.Binding{k.Help, k.Quit}},
		},
	}
}

// helpLines lays the groups of keys out: a title over each group, then
// one key a line with what it does.
func helpLines(th *theme, groups []keyGroup) []string {
	keyW := 0
	for _, g := range groups {
		for _, b := range g.keys {
			keyW = max(keyW, textWidth(b.Help().Key))
		}
	}
	var out []string
	for i, g := range groups {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, th.title.on(g.title))
		for _, b := range g.keys {
			h := b.Help()
			out = append(out, "  "+th.key.on(h.Key)+spaces(keyW-textWidth(h.Key)+2)+h.Desc)
		}
	}
	return out
}
