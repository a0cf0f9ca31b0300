package prefecttag

import (
	"strings"
	"testing"
)

type fleetSelector struct {
	name string
	sel  Selector
}

// fleetSelectors are the selector pins of the benchmark fleet (issue 6,
// internal/bench.Fleet): "~> 3.8.0" on Python 3.10 to 3.14 × standard,
// conda and kubernetes; exactly 3.7.8 on 3.12 and on 3.11 conda; "~> 2.20"
// on 3.11. Its two tag pins select nothing.
func fleetSelectors(tb testing.TB) []fleetSelector {
	var out []fleetSelector
	for _, py := range []string{"3.10", "3.11", "3.12", "3.13", "3.14"} {
		for _, f := range []string{"standard", "conda", "kubernetes"} {
			out = append(out, fleetSelector{"p38_py" + strings.ReplaceAll(py, ".", "") + "_" + f, selector(tb, "~> 3.8.0", py, f, false)})
		}
	}
	return append(out,
		fleetSelector{"p378_py312", selector(tb, "3.7.8", "3.12", "", false)},
		fleetSelector{"p378_py311_conda", selector(tb, "3.7.8", "3.11", "conda", false)},
		fleetSelector{"p220_py311", selector(tb, "~> 2.20", "3.11", "", false)},
	)
}

// BenchmarkSelectFleet selects for each fleet selector on the parsed
// 13,512-tag catalog. `make bench` reports the same numbers and checks them
// against the 5 ms target; no timed test asserts it.
func BenchmarkSelectFleet(b *testing.B) {
	c := prefectCatalog()
	for _, s := range fleetSelectors(b) {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Select(s.sel); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
