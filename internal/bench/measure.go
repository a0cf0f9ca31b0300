package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Registry is the benchmark's registry: Docker Hub's shape on loopback.
type Registry struct {
	*registrytest.Registry
	Timeline *Timeline
	Latency  time.Duration
}

// StartRegistry starts a registry seeded with the 13,512 prefecthq/prefect
// tags: latency per request, tag list pages of at most 1000 tags and 100
// when the client sends no n, Link headers, Docker Hub style bearer tokens
// (anonymous, as for public images), and a timeline of every request.
func StartRegistry(latency time.Duration, shape ...registrytest.Option) (*Registry, error) {
	tl := &Timeline{Latency: latency}
	opts := append([]registrytest.Option{
		registrytest.WithLatency(latency),
		registrytest.WithDefaultPageSize(100),
		registrytest.WithMaxPageSize(1000),
		registrytest.WithBearerAuth("", ""),
		registrytest.WithMiddleware(tl.Middleware),
	}, shape...)
	reg, err := registrytest.Start(opts...)
	if err != nil {
		return nil, err
	}
	if err := reg.Seed(Repository, tagcatalog.Prefect()); err != nil {
		reg.Close()
		return nil, fmt.Errorf("seed %s: %w", Repository, err)
	}
	return &Registry{Registry: reg, Timeline: tl, Latency: latency}, nil
}

// RepositoryRef is the benchmark repository as users write it:
// "127.0.0.1:PORT/prefecthq/prefect".
func (r *Registry) RepositoryRef() string { return r.Host() + "/" + Repository }

// Sample is one measured run.
type Sample struct {
	Wall   time.Duration
	Counts registrytest.Counts
	Chain  []Span // the critical path: requests paid one after another
	// RepeatedPages is how many tag list requests asked for a page
	// (the same URL) that the run had already read.
	RepeatedPages int
}

// Measure runs fn once against a registry whose counts and timeline start
// empty.
func (r *Registry) Measure(ctx context.Context, fn func(context.Context) error) (Sample, error) {
	r.ResetCounts()
	r.Timeline.Reset()
	start := time.Now()
	err := fn(ctx)
	wall := time.Since(start)
	if err != nil {
		return Sample{}, err
	}
	seen := map[string]bool{}
	repeated := 0
	for _, line := range r.Requests() {
		if strings.Contains(line, "/tags/list") {
			if seen[line] {
				repeated++
			}
			seen[line] = true
		}
	}
	return Sample{Wall: wall, Counts: r.Counts(), Chain: CriticalPath(r.Timeline.Spans()), RepeatedPages: repeated}, nil
}

// Result is the samples of one measurement across runs.
type Result struct {
	Name    string
	Samples []Sample
}

// Stat is a median and a spread.
type Stat[T int | time.Duration] struct {
	Median, Min, Max T
}

func stat[T int | time.Duration](vs []T) Stat[T] {
	if len(vs) == 0 {
		return Stat[T]{}
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stat[T]{Median: m, Min: s[0], Max: s[len(s)-1]}
}

func (r Result) collect(f func(Sample) int) Stat[int] {
	vs := make([]int, len(r.Samples))
	for i, s := range r.Samples {
		vs[i] = f(s)
	}
	return stat(vs)
}

// Wall is the wall time's median and spread.
func (r Result) Wall() Stat[time.Duration] {
	vs := make([]time.Duration, len(r.Samples))
	for i, s := range r.Samples {
		vs[i] = s.Wall
	}
	return stat(vs)
}

// RoundTrips is the critical path's length: median and spread.
func (r Result) RoundTrips() Stat[int] {
	return r.collect(func(s Sample) int { return len(s.Chain) })
}

// RepeatedPages is the most list pages read twice in one run.
func (r Result) RepeatedPages() int {
	return r.collect(func(s Sample) int { return s.RepeatedPages }).Max
}

// Count is one request count's median and spread.
func (r Result) Count(f func(registrytest.Counts) int) Stat[int] {
	return r.collect(func(s Sample) int { return f(s.Counts) })
}

// MedianChain is the critical path of the run whose length is the median.
func (r Result) MedianChain() []Span {
	med := r.RoundTrips().Median
	for _, s := range r.Samples {
		if len(s.Chain) == med {
			return s.Chain
		}
	}
	if len(r.Samples) > 0 {
		return r.Samples[0].Chain
	}
	return nil
}
