// Package tagcatalog ships realistic Prefect image tag catalogs for tests,
// benchmarks and the demo registry. The provider itself never imports it.
package tagcatalog

import (
	_ "embed"
	"strings"
)

//go:embed testdata/prefecthq-prefect.tags
var prefect string

//go:embed testdata/prefecthq-prefect-client.tags
var prefectClient string

// Prefect returns the 13,512 tags of prefecthq/prefect, as Prefect's image
// workflow produces them for releases 2.0.0 to 3.8.4.dev6.
func Prefect() []string { return lines(prefect) }

// PrefectClient returns the 2,912 tags of prefecthq/prefect-client.
func PrefectClient() []string { return lines(prefectClient) }

func lines(s string) []string {
	out := strings.Split(strings.TrimSpace(s), "\n")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}
