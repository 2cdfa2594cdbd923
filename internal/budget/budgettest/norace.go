//go:build !race

package budgettest

const raceFactor = 1
