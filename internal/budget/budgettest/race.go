//go:build race

package budgettest

// raceFactor: the race detector makes a program take 5 to 10 times the
// memory (Go's race detector documentation).
const raceFactor = 5
