// Package tui is spflab's terminal interface, built on Bubble Tea v2: the
// lab, where a lesson's SMTP dialogue runs step by step next to every step
// of the SPF evaluation (RFC 7208) behind each reply, and the monitor, which
// shows the sessions of a classroom server live, and the messages it
// stored.
//
// The package only renders events and sends intents. A lesson runs through
// scenarios.Runner, always inside a tea.Cmd, and its steps come back as
// messages; the monitor is fed smtpsim.Events with EventMsg. Nothing here
// speaks SMTP or words an SPF result itself: the record editor runs the
// engine (spf.Checker) on a draft and shows the engine's own events.
//
// New and Run open the lab on a scenarios file; the lab keeps the lessons
// done and the prediction scores in Options.StateDir (DefaultStateDir)
// and saves the screen as SVG and text on s. NewMonitor and RunMonitor
// open the monitor.
package tui
