package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// StrategyVar is the link-time variable that picks the resolver's listing
// strategy for the benchmark's comparison builds (-ldflags -X).
const StrategyVar = "github.com/prefectimage/terraform-provider-prefectimage/internal/resolver.listingStrategy"

// Targets of issue 6.
const (
	TargetRequests   = 36
	TargetRoundTrips = 6
)

// Config is everything a report is made of.
type Config struct {
	Latency   time.Duration
	Runs      int
	Machine   Machine
	Agreement string
	Pins      []Pin
	Results   map[string]*Result
	Pure      []PureResult
}

// Machine describes where the benchmark ran.
type Machine struct {
	CPUs      int
	CPUModel  string
	OS        string
	Go        string
	Terraform string
}

// DescribeMachine reads the CPU count and model, and the Go and Terraform
// versions.
func DescribeMachine(ctx context.Context, terraform string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, CPUModel: "unknown"}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	m.Go = firstLine(ctx, "go", "version")
	m.Terraform = firstLine(ctx, terraform, "version")
	return m
}

func firstLine(ctx context.Context, name string, args ...string) string {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}

func wallCells(r *Result) string {
	w := r.Wall()
	return fmt.Sprintf("%s | %s–%s", ms(w.Median), ms(w.Min), ms(w.Max))
}

func intCell(s Stat[int]) string {
	if s.Min == s.Max {
		return fmt.Sprint(s.Median)
	}
	return fmt.Sprintf("%d (%d–%d)", s.Median, s.Min, s.Max)
}

var (
	ping  = func(c registrytest.Counts) int { return c.Ping }
	token = func(c registrytest.Counts) int { return c.Token }
	list  = func(c registrytest.Counts) int { return c.ListPage }
	head  = func(c registrytest.Counts) int { return c.Head }
	get   = func(c registrytest.Counts) int { return c.Get }
	total = func(c registrytest.Counts) int { return c.Total() }
)

func requestRow(r *Result) string {
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |", r.Name, wallCells(r),
		intCell(r.RoundTrips()), intCell(r.Count(ping)), intCell(r.Count(token)), intCell(r.Count(list)),
		intCell(r.Count(head)), intCell(r.Count(get)), intCell(r.Count(total)))
}

const requestHeader = "| | wall, median | spread (min–max) | round trips | ping | token | list pages | HEAD | GET | all requests |\n" +
	"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**NOT met**"
}

// Report renders BENCHMARKS.md.
func Report(c Config) string {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	r := c.Results
	prov, base := r["tf-provider"], r["baseline"]
	full, seq := r["tf-provider-full"], r["tf-provider-seq"]
	shared, perPin := r["inproc-shared"], r["inproc-perpin"]
	withP, without := r["tf-empty-provider"], r["tf-empty-none"]

	p("# Benchmarks\n\n")
	p("Written by `make bench` (`go run ./cmd/bench`); run it again to reproduce. It builds the provider from\n")
	p("this checkout, starts a local registry shaped like Docker Hub, and measures a fleet plan with this provider\n")
	p("side by side with the straightforward way, %d runs of each after a warm-up, in rotating order. The\n", c.Runs)
	p("machine is noisy: compare numbers within this file only.\n\n")

	p("## Machine\n\n")
	p("- CPUs: %d (%s), %s\n", c.Machine.CPUs, c.Machine.CPUModel, c.Machine.OS)
	p("- %s\n- %s\n", c.Machine.Go, c.Machine.Terraform)
	p("- Command: `make bench` (flags: `go run ./cmd/bench -latency %s -runs %d`)\n\n", c.Latency, c.Runs)

	p("## Setup\n\n")
	p("- Registry: `internal/registrytest` (go-containerregistry's registry behind the project's handler) on\n")
	p("  127.0.0.1, seeded with the 13,512 `prefecthq/prefect` tags of `internal/tagcatalog`; %s added to\n", c.Latency)
	p("  every request; tag list pages of at most 1000 tags, 100 when the client sends no `n`, with Link headers;\n")
	p("  Docker Hub style bearer tokens (anonymous token endpoint); requests counted by kind.\n")
	p("- Fleet: %d `prefectimage_pin` **resources** (held in state, as work pool images are pinned), planned from\n", len(c.Pins))
	p("  an empty state with Terraform's default `-parallelism=10`:\n")
	p("  `~> 3.8.0` on Python 3.10–3.14 × standard, conda, kubernetes (15); exactly `3.7.8` on 3.12 and on\n")
	p("  3.11 conda; `~> 2.20` on 3.11; `tag = \"3-latest\"`; `tag = \"2-latest\"`.\n")
	p("- Baseline: the straightforward way, as a shell loop over crane would do it: `remote.List` with\n")
	p("  go-containerregistry's defaults (`n=1000`, pages one after another, as `crane ls` does), the tag picked with\n")
	p("  `prefecttag` as the provider does, then `remote.Head` per pin, one after another, each on a transport of\n")
	p("  its own as each `crane digest` process is (ping, token, HEAD).\n")
	p("- Agreement: %s.\n", c.Agreement)
	p("- Round trips: the longest chain of requests in which each started after the one before had ended, read\n")
	p("  from the registry's request log with timestamps (`internal/bench.CriticalPath`): the round trips paid one\n")
	p("  after another. Wall time includes Terraform's own start-up (see below).\n\n")

	p("## Fleet plan: this provider vs the straightforward way\n\n")
	p("%s\n%s\n%s\n\n", requestHeader, requestRow(prov), requestRow(base))
	pw, bw := prov.Wall().Median, base.Wall().Median
	p("**The baseline takes %.1f× as long as `terraform plan` with this provider** (median %s vs %s), and sends\n",
		float64(bw)/float64(pw), ms(bw), ms(pw))
	p("%.1f× as many requests (%d vs %d).\n\n", float64(base.Count(total).Median)/float64(prov.Count(total).Median),
		base.Count(total).Median, prov.Count(total).Median)
	p("Critical path of the provider's plan (median run): %s.\n\n", ChainString(prov.MedianChain()))

	p("### Targets\n\n")
	p("| target | measured | |\n| --- | --- | --- |\n")
	maxReq := prov.Count(total).Max
	p("| at most %d requests per fleet plan (one ping and one token per registry and scope, each list page at most once, one HEAD per distinct tag, no GET) | %d (ping %d, token %d, list pages %d, HEAD %d, GET %d), highest of %d runs | %s |\n",
		TargetRequests, maxReq, prov.Count(ping).Max, prov.Count(token).Max, prov.Count(list).Max, prov.Count(head).Max, prov.Count(get).Max, c.Runs, met(maxReq <= TargetRequests && prov.Count(get).Max == 0))
	maxRT := prov.RoundTrips().Max
	p("| at most %d sequential round trips on the critical path | %d, highest of %d runs | %s |\n", TargetRoundTrips, maxRT, c.Runs, met(maxRT <= TargetRoundTrips))
	var slowest PureResult
	for _, pr := range c.Pure {
		if strings.HasPrefix(pr.Name, "Select ") && pr.NsPerOp > slowest.NsPerOp {
			slowest = pr
		}
	}
	p("| selection under 5 ms per selector, parsing once per listing | slowest selector %s (%s) | %s |\n",
		nsString(slowest.NsPerOp), strings.TrimPrefix(slowest.Name, "Select "), met(slowest.NsPerOp < SelectionLimit))
	dw := withP.Wall().Median - without.Wall().Median
	p("| provider start-up adds nothing measurable to `terraform plan` | %+d ms between medians (spreads %s–%s and %s–%s); %d registry requests | %s |\n\n",
		dw.Milliseconds(), ms(withP.Wall().Min), ms(withP.Wall().Max), ms(without.Wall().Min), ms(without.Wall().Max),
		withP.Count(total).Max, met(withP.Count(total).Max == 0 && startupWithinNoise(withP, without)))

	p("## What each optimisation bought\n\n")
	p("Each row is one provider build or one way of calling the resolver, measured in the same runs as above.\n")
	p("The listing strategy of the comparison builds is chosen at link time (`-ldflags -X %s=…`);\n", StrategyVar)
	p("the shipped provider has no switch for it.\n\n")
	p("%s\n%s\n%s\n%s\n%s\n%s\n%s\n\n", requestHeader, requestRow(seq), requestRow(full), requestRow(prov), requestRow(perPin), requestRow(shared), requestRow(base))
	p("- **Concurrent listing** (tag ranges split at boundaries of Prefect's sorted tag names, read at once and\n")
	p("  stitched): the full listing goes from %s to %s round trips on the critical path, and the plan from %s to %s,\n",
		intCell(seq.RoundTrips()), intCell(full.RoundTrips()), ms(seq.Wall().Median), ms(full.Wall().Median))
	p("  at the price of %s list pages instead of %s (every range ends on a page of its own).\n", intCell(full.Count(list)), intCell(seq.Count(list)))
	p("- **Listing only the range a constraint can match** (`~> 3.8.0` reads the tags starting `3.8`, `~> 2.20`\n")
	p("  those starting `2.`; exact versions and `tag` pins read none): %s list pages instead of %s, %s round trips,\n",
		intCell(prov.Count(list)), intCell(full.Count(list)), intCell(prov.RoundTrips()))
	p("  plan %s.\n", ms(prov.Wall().Median))
	p("- **One client, transport and cache for all pins** (the provider's one resolver per provider instance; one\n")
	p("  ping and token per repository, one listing per range, one HEAD per tag): without Terraform, %d requests in\n", shared.Count(total).Median)
	p("  %s with it, %d requests in %s with a client per pin.\n\n", ms(shared.Wall().Median), perPin.Count(total).Median, ms(perPin.Wall().Median))

	p("## Provider start-up\n\n")
	p("`terraform plan` of a configuration without pins: with the provider required and configured, and without\n")
	p("the provider at all. `Configure` builds the client and does no I/O: no listing, no ping.\n\n")
	p("%s\n%s\n%s\n\n", requestHeader, requestRow(withP), requestRow(without))

	p("## Selection (pure Go, no registry)\n\n")
	p("`testing.Benchmark` over the same code as the Go benchmarks in `internal/prefecttag`\n")
	p("(`go test -run '^$' -bench . -benchmem ./internal/prefecttag`): parsing and classifying the catalog once\n")
	p("per listing, then one selection per selector pin on the parsed catalog (tag pins select nothing).\n\n")
	p("| benchmark | time/op | allocs/op | bytes/op | selected | under 5 ms |\n| --- | ---: | ---: | ---: | --- | --- |\n")
	for _, pr := range c.Pure {
		under := ""
		if strings.HasPrefix(pr.Name, "Select ") {
			under = met(pr.NsPerOp < SelectionLimit)
		}
		p("| %s | %s | %d | %d | %s | %s |\n", pr.Name, nsString(pr.NsPerOp), pr.AllocsPerOp, pr.BytesPerOp, pr.Tag, under)
	}
	return b.String()
}

// startupWithinNoise reports whether the medians of the plans with and
// without the provider differ by less than the larger of the two spreads.
func startupWithinNoise(with, without *Result) bool {
	a, b := with.Wall(), without.Wall()
	d := a.Median - b.Median
	if d < 0 {
		d = -d
	}
	return d <= max(a.Max-a.Min, b.Max-b.Min)
}

func nsString(ns int64) string {
	switch {
	case ns >= 1_000_000:
		return fmt.Sprintf("%.2f ms", float64(ns)/1e6)
	case ns >= 1_000:
		return fmt.Sprintf("%.1f µs", float64(ns)/1e3)
	}
	return fmt.Sprintf("%d ns", ns)
}
