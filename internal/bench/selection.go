package bench

import (
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// SelectionLimit is the most one selection over the parsed catalog may take.
const SelectionLimit = 5_000_000 // ns

// PureResult is one Go benchmark of the pure selection code.
type PureResult struct {
	Name        string
	NsPerOp     int64
	AllocsPerOp int64
	BytesPerOp  int64
	Tag         string // the tag selected, for selections
}

// PureBenchmarks measures, with testing.Benchmark, parsing and classifying
// the 13,512-tag catalog once, and selecting for each selector pin of pins
// on the parsed catalog (tag pins select nothing). The same code runs as Go
// benchmarks in internal/prefecttag (BenchmarkNewCatalog,
// BenchmarkSelectFleet).
func PureBenchmarks(pins []Pin) ([]PureResult, error) {
	tags := tagcatalog.Prefect()
	var out []PureResult
	r := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			prefecttag.NewCatalog(tags)
		}
	})
	out = append(out, PureResult{Name: "NewCatalog (13,512 tags)", NsPerOp: r.NsPerOp(), AllocsPerOp: r.AllocsPerOp(), BytesPerOp: r.AllocedBytesPerOp()})

	catalog := prefecttag.NewCatalog(tags)
	for _, p := range pins {
		if p.Tag != "" {
			continue
		}
		s, err := p.Selector()
		if err != nil {
			return nil, err
		}
		t, err := catalog.Select(s)
		if err != nil {
			return nil, err
		}
		r := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = catalog.Select(s)
			}
		})
		out = append(out, PureResult{Name: "Select " + p.Name, NsPerOp: r.NsPerOp(), AllocsPerOp: r.AllocsPerOp(), BytesPerOp: r.AllocedBytesPerOp(), Tag: t.Name})
	}
	return out, nil
}
