//go:build !race

package registry

// raceDetector: the tests run under -race, about ten times slower.
const raceDetector = false
