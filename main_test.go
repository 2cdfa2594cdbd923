package main

import (
	"os"
	"testing"

	"spflab/internal/testtool"
)

// TestMain removes the spflab binary the interop tests built once.
func TestMain(m *testing.M) {
	code := m.Run()
	testtool.Cleanup()
	os.Exit(code)
}
