//go:build !race

package registry_test

// raceDetector: the tests run under -race, about ten times slower
// (package registry has its own).
const raceDetector = false
