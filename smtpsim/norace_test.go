//go:build !race

package smtpsim

const raceEnabled = false
