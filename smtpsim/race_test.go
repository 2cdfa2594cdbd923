//go:build race

package smtpsim

const raceEnabled = true
