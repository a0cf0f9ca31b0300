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

// ListingProvider is the package of the benchmark's comparison builds,
// which serve the provider with another resolver.WithListing.
const ListingProvider = "./internal/bench/listingprovider"

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
	Configure ConfigureCost
	// DistinctTags is how many distinct tags the fleet resolved to: the
	// HEADs a plan needs.
	DistinctTags int
	// Shapes are the fleet plan against each tag list shape.
	Shapes []ShapeResult
}

// ShapeResult is the fleet plan against a registry of one tag list shape.
type ShapeResult struct {
	Shape registrytest.Shape
	Plan  *Result
	// FullListing is the list requests of reading the whole list once,
	// page after page, on that shape.
	FullListing int
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
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
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

// Report renders BENCHMARKS.md, and reports whether a target was missed
// (a cell that reads NOT met).
func Report(c Config) (report string, missed bool) {
	var b bytes.Buffer
	check := func(ok bool) string {
		missed = missed || !ok
		return met(ok)
	}
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	r := c.Results
	prov, base := r["tf-provider"], r["baseline"]
	full, seq, wide := r["tf-provider-full"], r["tf-provider-seq"], r["tf-provider-p20"]
	shared, perPin := r["inproc-shared"], r["inproc-perpin"]
	withP, null, without := r["tf-empty-provider"], r["tf-empty-null"], r["tf-empty-none"]

	p("# Benchmarks\n\n")
	p("Written by `make bench` (`go run ./cmd/bench`); run it again to reproduce. It builds the provider from\n")
	p("this checkout, starts a local registry shaped like Docker Hub, and measures a fleet plan with this provider\n")
	p("side by side with the straightforward way: %d runs of every measurement after a warm-up, in rotating\n", c.Runs)
	p("order. The machine is noisy: compare numbers within this file only.\n\n")

	p("## Machine\n\n")
	p("- CPUs: %d (`nproc`), %s, %s\n", c.Machine.CPUs, c.Machine.CPUModel, c.Machine.OS)
	p("- %s\n- %s\n", c.Machine.Go, c.Machine.Terraform)
	p("- Command: `make bench`, that is `go run ./cmd/bench -latency %s -runs %d` (flags: `BENCH_FLAGS=...`)\n\n", c.Latency, c.Runs)

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
	p("  its own as each `crane digest` process is (ping, token, HEAD). It runs in the benchmark's process, so it\n")
	p("  pays no process start-up, while the provider's numbers include Terraform's.\n")
	p("- Agreement: %s.\n", c.Agreement)
	p("- Round trips: the longest chain of requests in which each started after the one before had ended, read\n")
	p("  from the registry's request log with timestamps (`internal/bench.CriticalPath`): the round trips paid one\n")
	p("  after another, whatever made them wait (a response, or Terraform starting the next pin).\n\n")

	p("## Fleet plan: this provider vs the straightforward way\n\n")
	p("%s\n%s\n%s\n\n", requestHeader, requestRow(prov), requestRow(base))
	pw, bw := prov.Wall().Median, base.Wall().Median
	p("**The baseline takes %.1f× as long as `terraform plan` with this provider** (median %s vs %s), and sends\n",
		float64(bw)/float64(pw), ms(bw), ms(pw))
	p("%.1f× as many requests (%d vs %d). Of the provider's %s, about %s is Terraform planning with a provider at all\n",
		float64(base.Count(total).Median)/float64(prov.Count(total).Median), base.Count(total).Median, prov.Count(total).Median,
		ms(pw), ms(withP.Wall().Median))
	p("(the plan without pins below).\n\n")
	p("Critical path of the provider's plan (median run): %s.\n\n", ChainString(prov.MedianChain()))

	p("### Targets\n\n")
	p("| target | measured | |\n| --- | --- | --- |\n")
	maxReq := prov.Count(total).Max
	p("| at most %d requests per fleet plan: one ping and one token per registry and scope, each list page at most once, one HEAD per distinct tag, no GET | %d (ping %d, token %d, list pages %d, HEAD %d for %d distinct tags, GET %d), highest of %d runs; pages read twice in a run: %d | %s |\n",
		TargetRequests, maxReq, prov.Count(ping).Max, prov.Count(token).Max, prov.Count(list).Max, prov.Count(head).Max, c.DistinctTags, prov.Count(get).Max, c.Runs,
		prov.RepeatedPages(), check(maxReq <= TargetRequests && prov.Count(get).Max == 0 && prov.Count(ping).Max == 1 && prov.Count(token).Max == 1 &&
			prov.RepeatedPages() == 0 && prov.Count(head).Max == c.DistinctTags))
	rt := prov.RoundTrips()
	within := 0
	for _, s := range prov.Samples {
		if len(s.Chain) <= TargetRoundTrips {
			within++
		}
	}
	var verdict string
	if rt.Max > TargetRoundTrips && rt.Median <= TargetRoundTrips {
		verdict = fmt.Sprintf("met in %d of %d runs", within, c.Runs)
	} else {
		verdict = check(rt.Max <= TargetRoundTrips)
	}
	p("| at most %d sequential round trips on the critical path | median %d, highest %d; %d of %d runs within | %s |\n",
		TargetRoundTrips, rt.Median, rt.Max, within, c.Runs, verdict)
	var slowest PureResult
	for _, pr := range c.Pure {
		if strings.HasPrefix(pr.Name, "Select ") && pr.NsPerOp > slowest.NsPerOp {
			slowest = pr
		}
	}
	p("| selection under 5 ms per selector, parsing once per listing | slowest selector %s (%s) | %s |\n",
		nsString(slowest.NsPerOp), strings.TrimPrefix(slowest.Name, "Select "), check(slowest.NsPerOp < SelectionLimit))
	dn := withP.Wall().Median - null.Wall().Median
	p("| the provider's start-up adds nothing measurable to `terraform plan` (no work at init a plan without pins would pay) | plan without pins %+d ms against a provider that does nothing%s; `Configure` %s cold, no I/O; %d registry requests | %s |\n\n",
		dn.Milliseconds(), startupNote(withP, null), usString(c.Configure.Configure), withP.Count(total).Max,
		check(withP.Count(total).Max == 0 && c.Configure.Configure < time.Millisecond && withinNoise(withP, null)))

	if len(c.Shapes) > 0 {
		p("## The fleet plan on every tag list shape\n\n")
		p("Registries page tag lists differently (`bench.Shapes`: `registrytest.Shapes` and CNCF distribution v3.1 on\n")
		p("S3, `registrytest.ObjectStorageShape`). The same fleet plan, this provider, against\n")
		p("a registry of each shape with the same latency. Narrowed, concurrent reading is used only while the pages\n")
		p("prove lexical order; elsewhere the whole list is read once and filtered, so a plan costs at most one full\n")
		p("listing, the one page that probed the registry's order, and the HEADs. Every shape resolved the same tags\n")
		p("as the Docker Hub shape.\n\n")
		p("| shape | wall, median | round trips | list pages | full listing alone | HEAD | GET | all requests | at most one full listing |\n")
		p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
		for _, sr := range c.Shapes {
			lists := sr.Plan.Count(list)
			p("| `%s`: %s | %s | %s | %s | %d | %s | %s | %s | %s |\n", sr.Shape.Name, sr.Shape.Doc, ms(sr.Plan.Wall().Median),
				intCell(sr.Plan.RoundTrips()), intCell(lists), sr.FullListing, intCell(sr.Plan.Count(head)),
				intCell(sr.Plan.Count(get)), intCell(sr.Plan.Count(total)), met(lists.Max <= sr.FullListing+1))
		}
		p("\n\"At most one full listing\" allows one request beyond the full listing: the first page of the range that\n")
		p("asked the registry whether it takes `last` as a lexical bound (`registry.judgeOrder`). No reader that narrows can\n")
		p("do with less: on the `positional-moved` shape the list's first page and its `Link` are those of a lexical\n")
		p("registry, and only an answer to a `last` that is no tag tells them apart. `skip-past-last` (CNCF distribution\n")
		p("v3.0.0) passes for lexical until one more page, between two tags of the list's first page, shows that it\n")
		p("skips a tag (`registry.checkOrder`), so it pays that page too; and, in runs where `~> 2.20`'s spans were\n")
		p("read while that page was on its way, their first pages: on Docker Hub's shape the ranges do not wait for the\n")
		p("check, which saves the fleet a round trip, and the price is paid here. The pin is right either way.\n")
		p("On `distribution-v3.1-s3` the pages come in the order of storage keys and its own `Link`s skip tags, so the\n")
		p("full listing alone is its pages read to the end, one page that shows the skip, the list asked once without\n")
		p("`n`, and a manifest `HEAD` for each tag that would follow that answer's last key (`registry.keyAfterEnd`):\n")
		p("the plan's `HEAD`s beyond one per distinct tag are those.\n\n")
	}

	p("## What each optimisation bought\n\n")
	p("Each row is a provider build, a Terraform flag, or a way of calling the resolver, measured in the same\n")
	p("runs as above. The comparison builds serve the provider with another `resolver.WithListing`\n")
	p("(`%s`, chosen at link time); the shipped provider has no switch for it.\n\n", ListingProvider)
	p("%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n\n", requestHeader, requestRow(seq), requestRow(full), requestRow(prov), requestRow(wide),
		requestRow(perPin), requestRow(shared), requestRow(base))
	p("- **Reading the tag list in concurrent pieces.** Every listing reads its first page; when the range goes on,\n")
	p("  the rest is cut at points where Prefect's sorted tag names branch (each major version, and the first\n")
	p("  digit of the minor: `2.1` … `2.9`, `3.1` … `3.9`) and the pieces are read at once, each to its end, then\n")
	p("  stitched. Listing every release tag that way (`full`) instead of all %s pages one after another takes\n", intCell(seq.Count(list)))
	p("  the plan from %s to %s round trips and from %s to %s, for %s pages instead of %s: each piece ends on a page\n",
		intCell(seq.RoundTrips()), intCell(full.RoundTrips()), ms(seq.Wall().Median), ms(full.Wall().Median), intCell(full.Count(list)), intCell(seq.Count(list)))
	p("  of its own, and the `sha-` tags are left out. Registries that page by cursor or ignore `last` are read one\n")
	p("  page after another, as before.\n")
	p("- **Listing only the tags a selector can pick.** A constraint that fixes the minor (`~> 3.8.0`) lists the\n")
	p("  names starting `3.8`: one page. One that fixes the major with a lower bound (`~> 2.20`) lists\n")
	p("  the minors from its first digit on (`2.2` to `2.9…`, one page) and, to stay exact, the three-digit minors\n")
	p("  below it (`2.1dd…`, ten ranges of no tags, one request each). All of them at once: %s pages instead of %s,\n",
		intCell(prov.Count(list)), intCell(full.Count(list)))
	p("  %s round trips, plan %s. Exact versions and `tag` pins list nothing (HEAD only). A selector over several\n", intCell(prov.RoundTrips()), ms(prov.Wall().Median))
	p("  majors, or one with nothing in its ranges (for the error), lists every release tag as `full` does.\n")
	p("- **Terraform's scheduling.** With `-parallelism=10` Terraform resolves ten pins at a time and starts the next\n")
	p("  one only when one finishes, so the HEADs of 20 pins take at least two waves, and a pin started late that\n")
	p("  needs a listing adds its own round trip after them. With `-parallelism=20` the same build takes %s round trips\n", intCell(wide.RoundTrips()))
	p("  (%s): what is left above that is the order in which Terraform starts the pins.\n", ms(wide.Wall().Median))
	p("- **One client, transport and cache for all pins** (one resolver per provider instance: one ping and one\n")
	p("  token per repository, one listing per range, one HEAD per tag, for however many pins): without Terraform,\n")
	p("  %d requests in %s with it, %d requests in %s with a client of its own per pin.\n\n", shared.Count(total).Median, ms(shared.Wall().Median),
		perPin.Count(total).Median, ms(perPin.Wall().Median))

	p("## Provider start-up\n\n")
	p("`terraform plan` of a configuration without pins (its one `prefectimage_pin` has `count = 0`, which makes\n")
	p("Terraform start and configure the provider): with this provider; with a terraform-plugin-framework provider\n")
	p("at the same address that accepts the same configuration and does nothing (`internal/bench/nullprovider`);\n")
	p("and with no provider at all.\n\n")
	p("%s\n%s\n%s\n%s\n\n", requestHeader, requestRow(withP), requestRow(null), requestRow(without))
	p("This provider against the provider that does nothing: %+d ms between medians\n", dn.Milliseconds())
	p("(spreads %s–%s and %s–%s)%s. What both pay over a configuration without a provider (%+d ms) is Terraform\n",
		ms(withP.Wall().Min), ms(withP.Wall().Max), ms(null.Wall().Min), ms(null.Wall().Max), startupNote(withP, null),
		(null.Wall().Median - without.Wall().Median).Milliseconds())
	p("starting a plugin process per walk and fetching its schema. `Configure` builds the registry client and\n")
	p("the resolver and does no I/O: %s cold, measured in a fresh process. It no longer reads the system's CA\n", usString(c.Configure.Configure))
	p("roots up front (%s cold here): crypto/x509 reads them on the first verified TLS handshake, so only a plan\n", usString(c.Configure.Roots))
	p("that talks to an HTTPS registry pays for them, once.\n\n")

	p("## Selection (pure Go, no registry)\n\n")
	p("`testing.Benchmark` over the same code as the Go benchmarks in `internal/prefecttag`\n")
	p("(`go test -run '^$' -bench 'NewCatalog|SelectFleet' -benchmem ./internal/prefecttag`): parsing and\n")
	p("classifying the whole catalog once per listing (a plan parses only the ranges it lists: 375 tags for\n")
	p("`3.8`), then one selection per selector pin on the parsed catalog (tag pins select nothing).\n\n")
	p("| benchmark | time/op | allocs/op | bytes/op | selected | under 5 ms |\n| --- | ---: | ---: | ---: | --- | --- |\n")
	for _, pr := range c.Pure {
		under := ""
		if strings.HasPrefix(pr.Name, "Select ") {
			under = check(pr.NsPerOp < SelectionLimit)
		}
		p("| %s | %s | %d | %d | %s | %s |\n", pr.Name, nsString(pr.NsPerOp), pr.AllocsPerOp, pr.BytesPerOp, pr.Tag, under)
	}
	return b.String(), missed
}

// withinNoise reports whether the medians of a and b differ by no more
// than the larger of their spreads.
func withinNoise(a, b *Result) bool {
	x, y := a.Wall(), b.Wall()
	d := x.Median - y.Median
	if d < 0 {
		d = -d
	}
	return d <= max(x.Max-x.Min, y.Max-y.Min)
}

func startupNote(a, b *Result) string {
	if withinNoise(a, b) {
		return ", within the spread"
	}
	return ", **beyond the spread**"
}

func usString(d time.Duration) string {
	if d >= time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%d µs", d.Microseconds())
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
