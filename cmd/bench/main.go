// Command bench measures a fleet plan with this provider side by side with
// the straightforward way, against a local registry shaped like Docker Hub,
// and writes BENCHMARKS.md. Run it from the repository root: `make bench`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/bench"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

var trace bool

func main() {
	var cfg bench.Config
	flag.DurationVar(&cfg.Latency, "latency", 30*time.Millisecond, "latency the registry adds to every request")
	flag.IntVar(&cfg.Runs, "runs", 5, "measured runs of every measurement (after one warm-up run)")
	out := flag.String("out", "BENCHMARKS.md", `where to write the report ("-" for standard output only)`)
	flag.BoolVar(&trace, "trace", false, "print the request timeline of every measured run to standard error")
	shape := flag.String("shape", "", "measure only the fleet plan against this tag list shape (bench.Shapes), -runs times, and print each run; writes no report")
	flag.Parse()
	if cfg.Runs < 1 {
		fmt.Fprintln(os.Stderr, "bench: -runs must be at least 1")
		os.Exit(2)
	}
	if *shape != "" {
		if err := runShape(context.Background(), cfg, *shape); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			os.Exit(1)
		}
		return
	}

	// First, while nothing in this process has read the system's CA roots.
	cost, err := bench.MeasureConfigure()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
	cfg.Configure = cost

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	report, missed, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
	if *out == "-" {
		fmt.Print(report)
	} else {
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "bench: wrote %s\n", *out)
	}
	if missed {
		// The report is written either way; the exit status says a target
		// was missed (on a busy machine, run it again before believing it).
		fmt.Fprintln(os.Stderr, "bench: a target was NOT met: see the Targets table")
		os.Exit(3)
	}
}

// variant is a provider build.
type variant struct {
	key, name, pkg, ldflags string
}

// The provider builds measured: the shipped provider, and two builds of
// internal/bench/listingprovider that list tags another way
// (resolver.WithListing), chosen at link time.
var variants = []variant{
	{"provider", "this provider", ".", ""},
	{"provider-full", "this provider, concurrent full listing (no range narrowing)", bench.ListingProvider, "-X main.listing=releases"},
	{"provider-seq", "this provider, sequential full listing (as before issue 6)", bench.ListingProvider, "-X main.listing=sequential"},
}

func run(ctx context.Context, cfg bench.Config) (report string, missed bool, err error) {
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...) }
	if _, err := os.Stat("go.mod"); err != nil {
		return "", false, errors.New("run from the repository root (make bench)")
	}
	terraform, work, err := workspaceDir()
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(work)

	cfg.Machine = bench.DescribeMachine(ctx, terraform)
	for _, v := range variants {
		logf("building %s", v.name)
		if err := bench.BuildProvider(ctx, ".", v.pkg, filepath.Join(work, "bin", v.key), v.ldflags); err != nil {
			return "", false, err
		}
	}
	logf("building the null provider (the start-up yardstick)")
	if err := bench.BuildProvider(ctx, ".", "./internal/bench/nullprovider", filepath.Join(work, "bin", "null"), ""); err != nil {
		return "", false, err
	}

	logf("starting the registry (%d ms latency) and seeding %s", cfg.Latency.Milliseconds(), bench.Repository)
	reg, err := bench.StartRegistry(cfg.Latency)
	if err != nil {
		return "", false, err
	}
	defer reg.Close()

	pins := bench.Fleet()
	repo := reg.RepositoryRef()
	var ms []measurement
	for _, v := range variants {
		ws, err := bench.NewWorkspace(terraform, filepath.Join(work, "tf"), "fleet-"+v.key, bench.FleetConfig(pins), filepath.Join(work, "bin", v.key), reg.Host())
		if err != nil {
			return "", false, err
		}
		ms = append(ms, measurement{key: "tf-" + v.key, name: "terraform plan, " + v.name, fn: planOf(ws), ws: ws})
	}
	wide, err := bench.NewWorkspace(terraform, filepath.Join(work, "tf"), "fleet-parallelism-20", bench.FleetConfig(pins), filepath.Join(work, "bin", "provider"), reg.Host())
	if err != nil {
		return "", false, err
	}
	wide.PlanArgs = []string{"-parallelism=20"}
	ms = append(ms, measurement{key: "tf-provider-p20", name: "terraform plan -parallelism=20, this provider", fn: planOf(wide), ws: wide})
	ms = append(ms,
		measurement{key: "baseline", name: "baseline: remote.List, then remote.Head per pin", resolve: func(ctx context.Context) (map[string]bench.Resolved, error) {
			return bench.Baseline(ctx, repo, pins)
		}},
		measurement{key: "inproc-shared", name: "resolver without Terraform, one client for all pins", resolve: func(ctx context.Context) (map[string]bench.Resolved, error) {
			return bench.ResolveShared(ctx, repo, pins)
		}},
		measurement{key: "inproc-perpin", name: "resolver without Terraform, one client per pin", resolve: func(ctx context.Context) (map[string]bench.Resolved, error) {
			return bench.ResolvePerPin(ctx, repo, pins)
		}},
	)
	for _, e := range []struct{ key, name, config, bin string }{
		{"tf-empty-provider", "terraform plan, no pins (one with count = 0), this provider", bench.EmptyConfig(), filepath.Join(work, "bin", "provider")},
		{"tf-empty-null", "terraform plan, no pins (one with count = 0), a framework provider that does nothing", bench.EmptyConfig(), filepath.Join(work, "bin", "null")},
		{"tf-empty-none", "terraform plan, no pins, no provider", bench.NoProviderConfig(), ""},
	} {
		ws, err := bench.NewWorkspace(terraform, filepath.Join(work, "tf"), e.key, e.config, e.bin, reg.Host())
		if err != nil {
			return "", false, err
		}
		ms = append(ms, measurement{key: e.key, name: e.name, fn: planOf(ws)})
	}

	// Warm-up: every measurement once, unmeasured, and the check that all
	// ways of resolving the fleet agree on every tag and digest.
	logf("warm-up run and agreement check")
	var reference map[string]bench.Resolved
	referenceName := ""
	for _, m := range ms {
		got, err := m.once(ctx)
		if err != nil {
			return "", false, fmt.Errorf("%s: %w", m.name, err)
		}
		if got == nil {
			continue
		}
		if reference == nil {
			reference, referenceName = got, m.name
			continue
		}
		if err := agree(referenceName, reference, m.name, got, len(pins)); err != nil {
			return "", false, err
		}
	}
	distinct := map[string]bool{}
	for _, r := range reference {
		distinct[r.Tag] = true
	}
	cfg.DistinctTags = len(distinct)
	cfg.Agreement = fmt.Sprintf("all %d ways of resolving the fleet chose the same %d tags and digests", countResolvers(ms), len(pins))

	results := map[string]*bench.Result{}
	for _, m := range ms {
		results[m.key] = &bench.Result{Name: m.name}
	}
	for i := range cfg.Runs {
		logf("run %d of %d", i+1, cfg.Runs)
		// Rotate the order so that no measurement always runs first or
		// last on a noisy machine.
		for j := range ms {
			m := ms[(i+j)%len(ms)]
			s, err := reg.Measure(ctx, m.run)
			if err != nil {
				return "", false, fmt.Errorf("%s: %w", m.name, err)
			}
			results[m.key].Samples = append(results[m.key].Samples, s)
			if trace {
				fmt.Fprintf(os.Stderr, "--- %s: %s, %d requests, critical path %s\n%s", m.name, s.Wall.Round(time.Millisecond), s.Counts.Total(), bench.ChainString(s.Chain), bench.Trace(reg.Timeline.Spans()))
			}
		}
	}

	logf("the fleet plan on every tag list shape")
	shapes, err := planShapes(ctx, cfg, terraform, work, pins, reference)
	if err != nil {
		return "", false, err
	}
	cfg.Shapes = shapes

	logf("Go benchmarks of the pure selection code")
	pure, err := bench.PureBenchmarks(pins)
	if err != nil {
		return "", false, err
	}
	cfg.Pure = pure
	cfg.Results = maps.Clone(results)
	cfg.Pins = pins
	report, missed = bench.Report(cfg)
	return report, missed, nil
}

// planShapes measures the fleet plan of this provider against a registry of
// each tag list shape, and checks that it resolves what the Docker Hub shape
// resolved.
func planShapes(ctx context.Context, cfg bench.Config, terraform, work string, pins []bench.Pin, reference map[string]bench.Resolved) ([]bench.ShapeResult, error) {
	var out []bench.ShapeResult
	runs := min(cfg.Runs, 3)
	for _, shape := range bench.Shapes() {
		reg, m, err := shapePlan(cfg, terraform, work, shape, pins)
		if err != nil {
			return nil, err
		}
		got, err := m.once(ctx)
		if err == nil {
			err = agreeTags(reference, shape.Name, got, len(pins))
		}
		res := &bench.Result{Name: shape.Name}
		for i := 0; err == nil && i < runs; i++ {
			var s bench.Sample
			if s, err = reg.Measure(ctx, m.run); err == nil {
				res.Samples = append(res.Samples, s)
			}
		}
		var full bench.Sample
		if err == nil {
			full, err = reg.Measure(ctx, func(ctx context.Context) error { return bench.ListWhole(ctx, reg.RepositoryRef()) })
		}
		reg.Close()
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", shape.Name, err)
		}
		out = append(out, bench.ShapeResult{Shape: shape, Plan: res, FullListing: full.Counts.ListPage})
	}
	return out, nil
}

// workspaceDir finds terraform and makes the directory a benchmark builds
// and plans in, for the caller to remove.
func workspaceDir() (terraform, work string, err error) {
	if terraform, err = exec.LookPath("terraform"); err != nil {
		return "", "", errors.New("terraform is not on PATH; install Terraform >= 1.8")
	}
	work, err = os.MkdirTemp("", "prefectimage-bench-")
	return terraform, work, err
}

// shapePlan starts a registry of one tag list shape and the fleet plan of
// this provider (built to work/bin/provider) against it; the caller closes
// the registry.
func shapePlan(cfg bench.Config, terraform, work string, shape registrytest.Shape, pins []bench.Pin) (*bench.Registry, measurement, error) {
	reg, err := bench.StartRegistry(cfg.Latency, shape.Opts...)
	if err != nil {
		return nil, measurement{}, err
	}
	ws, err := bench.NewWorkspace(terraform, filepath.Join(work, "tf"), "shape-"+shape.Name, bench.FleetConfig(pins), filepath.Join(work, "bin", "provider"), reg.Host())
	if err != nil {
		reg.Close()
		return nil, measurement{}, err
	}
	return reg, measurement{key: "shape-" + shape.Name, name: shape.Name, fn: planOf(ws), ws: ws}, nil
}

// runShape measures the fleet plan of this provider against a registry of
// one tag list shape, after a warm-up run, and prints each run's counts:
// for looking into one row of the shapes table without the whole benchmark.
func runShape(ctx context.Context, cfg bench.Config, name string) error {
	shapes := bench.Shapes()
	i := slices.IndexFunc(shapes, func(s registrytest.Shape) bool { return s.Name == name })
	if i < 0 {
		return fmt.Errorf("no tag list shape %q in bench.Shapes", name)
	}
	shape := shapes[i]
	terraform, work, err := workspaceDir()
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := bench.BuildProvider(ctx, ".", ".", filepath.Join(work, "bin", "provider"), ""); err != nil {
		return err
	}
	reg, m, err := shapePlan(cfg, terraform, work, shape, bench.Fleet())
	if err != nil {
		return err
	}
	defer reg.Close()
	if _, err := m.once(ctx); err != nil {
		return err
	}
	for i := range cfg.Runs {
		s, err := reg.Measure(ctx, m.run)
		if err != nil {
			return err
		}
		fmt.Printf("%s run %d: %s, list pages %d, all requests %d, round trips %d (%s)\n", shape.Name, i+1, s.Wall.Round(time.Millisecond), s.Counts.ListPage, s.Counts.Total(), len(s.Chain), bench.ChainString(s.Chain))
		if trace {
			fmt.Fprint(os.Stderr, bench.Trace(reg.Timeline.Spans()))
		}
	}
	return nil
}

type measurement struct {
	key, name string
	fn        func(context.Context) error                              // runs it
	resolve   func(context.Context) (map[string]bench.Resolved, error) // runs it and returns what it resolved
	ws        *bench.Workspace                                         // for terraform plans of the fleet: where to read the plan
}

func (m measurement) run(ctx context.Context) error {
	if m.fn != nil {
		return m.fn(ctx)
	}
	_, err := m.resolve(ctx)
	return err
}

// once runs the measurement and returns what it resolved (nil for the
// plans without pins).
func (m measurement) once(ctx context.Context) (map[string]bench.Resolved, error) {
	if m.resolve != nil {
		return m.resolve(ctx)
	}
	if err := m.fn(ctx); err != nil {
		return nil, err
	}
	if m.ws == nil {
		return nil, nil
	}
	return m.ws.Planned(ctx)
}

func countResolvers(ms []measurement) int {
	n := 0
	for _, m := range ms {
		if m.resolve != nil || m.ws != nil {
			n++
		}
	}
	return n
}

func planOf(ws *bench.Workspace) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := ws.Plan(ctx)
		return err
	}
}

// agreeTags checks that the fleet on another registry (whose digests are
// its own) chose the same tags.
func agreeTags(reference map[string]bench.Resolved, shape string, got map[string]bench.Resolved, want int) error {
	if len(got) != want {
		return fmt.Errorf("the %s shape resolved %d pins, want %d", shape, len(got), want)
	}
	for k, r := range reference {
		if got[k].Tag != r.Tag {
			return fmt.Errorf("pin %s: the Docker Hub shape chose %s, the %s shape %s", k, r.Tag, shape, got[k].Tag)
		}
	}
	return nil
}

// agree checks that two ways of resolving the fleet chose the same tags and
// digests.
func agree(aName string, a map[string]bench.Resolved, bName string, b map[string]bench.Resolved, want int) error {
	if len(a) != want || len(b) != want {
		return fmt.Errorf("%s resolved %d pins and %s %d; want %d each", aName, len(a), bName, len(b), want)
	}
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if a[k] != b[k] {
			return fmt.Errorf("pin %s: %s chose %s@%s, %s chose %s@%s", k, aName, a[k].Tag, a[k].Digest, bName, b[k].Tag, b[k].Digest)
		}
	}
	return nil
}
