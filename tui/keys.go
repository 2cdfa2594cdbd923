package tui

import "charm.land/bubbles/v2/key"

func bind(keys []string, k, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
}

// keyMap is every key of the lab, by what it does.
type keyMap struct {
	// Everywhere (outside text inputs).
	Help, Quit key.Binding
	// The lesson list.
	Up, Down, Open key.Binding
	// A lesson.
	Next, Back, Play, Faster, Slower, Restart     key.Binding
	Earlier, Later, Newest, Focus, PageUp, PageDn key.Binding
	Predict, Edit, Type, Lessons, Mouse           key.Binding
	Reply                                         key.Binding // the short help's ↑↓
	// A prediction.
	Class, Result, Reveal, Cancel key.Binding
	// The record editor.
	Rerun, NextDomain, PrevDomain, Published key.Binding
	// Free typing.
	Send, History key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Help: bind([]string{"?"}, "?", "keys"),
		Quit: bind([]string{"q", "ctrl+c"}, "q", "quit"),

		Up:   bind([]string{"up", "k"}, "↑/k", "up"),
		Down: bind([]string{"down", "j"}, "↓/j", "down"),
		Open: bind([]string{"enter", "right", "l", "space"}, "enter", "open"),

		Next:    bind([]string{"space", "right", "l"}, "space", "next"),
		Back:    bind([]string{"left", "h"}, "←", "back"),
		Play:    bind([]string{"a"}, "a", "auto"),
		Faster:  bind([]string{"+", "="}, "+", "faster"),
		Slower:  bind([]string{"-", "_"}, "-", "slower"),
		Restart: bind([]string{"r"}, "r", "restart"),
		Earlier: bind([]string{"up", "k"}, "↑", "earlier reply"),
		Later:   bind([]string{"down", "j"}, "↓", "later reply"),
		Newest:  bind([]string{"end", "G"}, "end", "newest reply"),
		Reply:   bind([]string{"up", "down"}, "↑↓", "reply"),
		Focus:   bind([]string{"tab", "shift+tab"}, "tab", "next pane"),
		PageUp:  bind([]string{"pgup", "b"}, "pgup", "scroll up"),
		PageDn:  bind([]string{"pgdown", "f"}, "pgdn", "scroll down"),
		Predict: bind([]string{"p"}, "p", "predict"),
		Edit:    bind([]string{"e"}, "e", "edit"),
		Type:    bind([]string{"t", ":"}, "t", "type"),
		Lessons: bind([]string{"esc", "backspace"}, "esc", "lessons"),
		Mouse:   bind([]string{"m"}, "m", "mouse on/off"),

		Class:  bind([]string{"2", "3", "4", "5"}, "2-5", "reply class"),
		Result: bind([]string{"p", "f", "s", "n", "o", "t", "e"}, "p f s n o t e", "SPF result"),
		Reveal: bind([]string{"space", "right"}, "space", "reveal"),
		Cancel: bind([]string{"esc"}, "esc", "cancel"),

		Rerun:      bind([]string{"enter"}, "enter", "rerun with the draft"),
		NextDomain: bind([]string{"tab"}, "tab", "next domain"),
		PrevDomain: bind([]string{"shift+tab"}, "shift+tab", "previous domain"),
		Published:  bind([]string{"ctrl+r"}, "ctrl+r", "published record"),

		Send:    bind([]string{"enter"}, "enter", "send the line"),
		History: bind([]string{"up", "down"}, "↑/↓", "earlier lines"),
	}
}

// keyHelp is a help.KeyMap made of the bindings of one state.
type keyHelp struct {
	short []key.Binding
	full  [][]key.Binding
}

func (k keyHelp) ShortHelp() []key.Binding  { return k.short }
func (k keyHelp) FullHelp() [][]key.Binding { return k.full }

func (k keyMap) listHelp() keyHelp {
	return keyHelp{
		short: []key.Binding{k.Up, k.Down, k.Open, k.Predict, k.Help, k.Quit},
		full: [][]key.Binding{
			{k.Up, k.Down, k.Open},
			{k.Predict, k.Mouse, k.Help, k.Quit},
		},
	}
}

func (k keyMap) lessonHelp() keyHelp {
	return keyHelp{
		short: []key.Binding{k.Next, k.Back, k.Reply, k.Predict, k.Edit, k.Type, k.Help, k.Lessons, k.Play},
		full: [][]key.Binding{
			{k.Next, k.Back, k.Restart, k.Play, k.Faster, k.Slower},
			{k.Earlier, k.Later, k.Newest, k.Focus, k.PageUp, k.PageDn},
			{k.Predict, k.Edit, k.Type, k.Mouse},
			{k.Lessons, k.Help, k.Quit},
		},
	}
}

func (k keyMap) predictHelp(spf bool) keyHelp {
	first := k.Class
	if spf {
		first = k.Result
	}
	return keyHelp{
		short: []key.Binding{first, k.Reveal, k.Cancel},
		full:  [][]key.Binding{{k.Class, k.Result}, {k.Reveal, k.Cancel}},
	}
}

func (k keyMap) editHelp() keyHelp {
	return keyHelp{
		short: []key.Binding{k.Rerun, k.NextDomain, k.Published, k.Cancel},
		full:  [][]key.Binding{{k.Rerun, k.NextDomain, k.PrevDomain}, {k.Published, k.Cancel}},
	}
}

func (k keyMap) typeHelp() keyHelp {
	esc := bind([]string{"esc"}, "esc", "stop typing")
	return keyHelp{
		short: []key.Binding{k.Send, k.History, esc},
		full:  [][]key.Binding{{k.Send, k.History, esc}},
	}
}
