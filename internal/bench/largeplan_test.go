package bench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A plan far larger than the fleet: dozens of pins of each of three
// repositories on one registry, prefecthq/prefect's 13,512 tags twice
// (its own and a mirror's) and prefecthq/prefect-client's, with the
// selectors that list most: no prefect_version (every release tag) and a
// whole major (~> 3.0), next to the fleet's.

// largePlanRepositories are the repositories of the large plan and their
// tags.
var largePlanRepositories = map[string][]string{
	Repository:                 tagcatalog.Prefect(),
	"mirror/prefect":           tagcatalog.Prefect(),
	"prefecthq/prefect-client": tagcatalog.PrefectClient(),
}

type largePin struct {
	repository string
	Pin
}

// largePlan returns 69 pins: on each of prefecthq/prefect and its mirror,
// Python 3.10 to 3.13 × standard, conda and kubernetes with no
// prefect_version and with ~> 3.0, 3.7.8 on each Python, ~> 2.20 on each
// Python that 2.20 was published for, 3-latest and 2-latest; and three
// pins of prefecthq/prefect-client with no prefect_version.
func largePlan() []largePin {
	var pins []largePin
	for _, repo := range []string{Repository, "mirror/prefect"} {
		add := func(p Pin) { pins = append(pins, largePin{repo, p}) }
		for _, py := range []string{"3.10", "3.11", "3.12", "3.13"} {
			name := strings.ReplaceAll(py, ".", "")
			for _, f := range []string{"standard", "conda", "kubernetes"} {
				add(Pin{Name: "newest_py" + name + "_" + f, PythonVersion: py, Flavor: f})
				add(Pin{Name: "p3_py" + name + "_" + f, PrefectVersion: "~> 3.0", PythonVersion: py, Flavor: f})
			}
			add(Pin{Name: "p378_py" + name, PrefectVersion: "3.7.8", PythonVersion: py})
			if py != "3.13" {
				add(Pin{Name: "p220_py" + name, PrefectVersion: "~> 2.20", PythonVersion: py})
			}
		}
		add(Pin{Name: "tag_3_latest", Tag: "3-latest"})
		add(Pin{Name: "tag_2_latest", Tag: "2-latest"})
	}
	for _, py := range []string{"3.10", "3.11", "3.12"} {
		pins = append(pins, largePin{"prefecthq/prefect-client", Pin{Name: "client_py" + strings.ReplaceAll(py, ".", ""), PythonVersion: py}})
	}
	return pins
}

func startLargePlanRegistry(tb testing.TB) *Registry {
	tb.Helper()
	reg, err := StartRegistry(0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(reg.Close)
	for repo, tags := range largePlanRepositories {
		if repo != Repository { // StartRegistry seeded it
			if err := reg.Seed(repo, tags); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return reg
}

// resolveLargePlan resolves the pins as a plan does: one client and
// resolver for all, Parallelism at once. It returns the tags chosen, by
// repository and pin.
func resolveLargePlan(ctx context.Context, reg *Registry, pins []largePin) (map[string]string, error) {
	c, err := newClient()
	if err != nil {
		return nil, err
	}
	r := resolver.New(c)
	var mu sync.Mutex
	var errs []error
	out := map[string]string{}
	sem := make(chan struct{}, Parallelism)
	var wg sync.WaitGroup
	for _, p := range pins {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			req, err := p.Request(reg.Host() + "/" + p.repository)
			var pin resolver.Pin
			if err == nil {
				pin, err = r.Resolve(ctx, req)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", p.repository, p.Name, err))
				return
			}
			out[p.repository+" "+p.Name] = pin.Tag
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return out, nil
}

// TestLargePlanRequests checks that the large plan's requests grow with
// what it reads, not with its pins: one ping for the registry host, one
// token per repository (go-containerregistry's handshake is a
// repository's, its ping the host's), no tag list page read twice, one
// HEAD per distinct tag, no GET.
func TestLargePlanRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 29,936 tags")
	}
	reg := startLargePlanRegistry(t)
	pins := largePlan()
	if len(pins) != 69 {
		t.Fatalf("large plan has %d pins, want 69", len(pins))
	}
	var chosen map[string]string
	s, err := reg.Measure(context.Background(), func(ctx context.Context) (err error) {
		chosen, err = resolveLargePlan(ctx, reg, pins)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the large plan sent %+v, %d tag list pages read twice", s.Counts, s.RepeatedPages)
	distinct := map[string]bool{}
	for key, tag := range chosen {
		repo, _, _ := strings.Cut(key, " ")
		distinct[repo+":"+tag] = true
	}
	if s.Counts.Ping != 1 || s.Counts.Token != len(largePlanRepositories) || s.RepeatedPages != 0 || s.Counts.Head != len(distinct) || s.Counts.Get != 0 {
		t.Errorf("the large plan (%d pins, %d distinct tags) sent %+v, %d tag list pages read twice; want 1 ping, %d tokens, no page twice, %d HEADs, no GET",
			len(pins), len(distinct), s.Counts, s.RepeatedPages, len(largePlanRepositories), len(distinct))
	}
	if got := chosen[Repository+" newest_py311_conda"]; got != "3.8.3-python3.11-conda" {
		t.Errorf("no prefect_version on Python 3.11, conda chose %s", got)
	}
}

// BenchmarkLargePlan resolves the large plan, without latency, so that
// what it measures is the provider's own CPU time and allocations
// (-benchmem, -cpuprofile), with its requests as metrics. `make bench`
// does not run it; run it alone:
//
//	go test -run '^$' -bench LargePlan -benchtime 5x -benchmem ./internal/bench
func BenchmarkLargePlan(b *testing.B) {
	reg := startLargePlanRegistry(b)
	pins := largePlan()
	b.ReportAllocs()
	for b.Loop() {
		s, err := reg.Measure(context.Background(), func(ctx context.Context) error {
			_, err := resolveLargePlan(ctx, reg, pins)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(s.Counts.Total()), "requests/op")
		b.ReportMetric(float64(s.Counts.ListPage), "pages/op")
		b.ReportMetric(float64(s.Counts.Head), "heads/op")
	}
}
