//go:build race

package main

// raceEnabled shortens the load tests under the race detector.
const raceEnabled = true
