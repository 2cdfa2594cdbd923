//go:build !race

package classroom

// raceEnabled shortens the load tests under the race detector.
const raceEnabled = false
