package resolver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A randomized differential test of many selections sharing one Client in
// one run, as a plan with dozens of pins does: each round builds a
// registry double of some shape over a random subset of a real catalog
// (plus odd tags), then runs 5–30 operations on ONE Client, in waves (each
// wave concurrent, each after the one before has finished): selectors
// through resolvers of every listing mode, exact tags, and the Client's
// own range and whole listings, some inside ranges read before. Every
// answer must be what the full catalog gives (a selection over it, its
// releases, its tags inside the range), with the pinned digest the tag's
// own; an error is allowed only where the shape cannot be paged. (A
// Client lives for one run and keeps what it read for its life, so the
// registry is not changed between operations.)
//
// PREFECTIMAGE_SHARED_ROUNDS sets the number of rounds (default 10, 4
// with -short) and PREFECTIMAGE_SHARED_SEED the seed (default 1).

func TestSharedClientPicksAsFullCatalog(t *testing.T) {
	rounds := 10
	if testing.Short() {
		rounds = 4
	}
	if s := os.Getenv("PREFECTIMAGE_SHARED_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		rounds = n
	}
	seed := uint64(1)
	if s := os.Getenv("PREFECTIMAGE_SHARED_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = n
	}
	for i := range rounds {
		t.Run(fmt.Sprintf("seed%d/round%d", seed, i), func(t *testing.T) {
			sharedRound(t, seed, uint64(i))
		})
	}
}

// sharedOdd are tags Prefect never published, at the edges of the spans
// and ranges the resolver reads: new minors and majors, digit counts,
// moving tags, names that parse as no release, and bytes around '.', '-'.
var sharedOdd = []string{
	"3.10.0-python3.12", "3.10.0-python3.13-kubernetes", "3.10.1rc1-python3.12", "3.9.0.dev1-python3.13",
	"4.0.0-python3.12", "4.0.0rc1-python3.12", "4.0.0.dev3-python3.12", "10.0.0-python3.12",
	"3.100.0-python3.12", "2.150.0-python3.11", "2.105.1-python3.11-conda", "2.19.99-python3.12",
	"3.8.3.post1-python3.12", "3.8.30-python3.12", "3.8.99-python3.10-conda", "3.8.4-python3.14",
	"3.8.3rc1-python3.12", "3.8.3a1-python3.12-conda", "3.8-python3.12", "3-python3.12", "3-latest",
	"3.8.3-python3.12-Conda", "3.8.3-python3.12-", "3.8.3--python3.12", "3..8-python3.12", "3.8.-python3.12",
	"3.08.3-python3.12", "03.8.3-python3.12", "3.8.03-python3.12", "3.8.3_python3.12", "3.8.3-python3.12.dev",
	"3.8.3-python3.12-kubernetes-x", "2.0b9-python3.10", "2.0-python3.10", "2.-python3.10", "3.-x",
	"sha-0000000-python3.12", "A3.8.3-python3.12", "_3.8", "9.9.9-python3.12", "3.8.3-latest",
}

// sharedShape is a registry shape for a round; mayFail when it cannot be
// paged (a page of last ignored, linked to itself): an error is right
// there, a wrong tag never.
type sharedShape struct {
	name    string
	opts    []registrytest.Option
	mayFail bool
	// cursor is the page size of a registry that pages by cursor and
	// ignores last: its list is cut to a multiple of it now and then, to
	// end on a full page without a Link (Quay 3.11).
	cursor int
}

func pickShape(rng *rand.Rand) sharedShape {
	shapes := registrytest.Shapes()
	if rng.IntN(3) == 0 {
		s := shapes[rng.IntN(len(shapes))]
		if s.Name == "cursor" {
			return sharedShape{name: s.Name, opts: s.Opts, cursor: 100}
		}
		return sharedShape{name: s.Name, opts: s.Opts}
	}
	size := 15 + rng.IntN(300)
	var opts []registrytest.Option
	name := ""
	switch max(0, rng.IntN(10)-4) { // lexical half the time: the narrowed readings
	case 0:
		name = "lexical"
	case 1:
		k := uint64(rng.IntN(1000))
		name, opts = fmt.Sprintf("shuffled%d", k), []registrytest.Option{registrytest.WithOrder(registrytest.Shuffled(k))}
	case 2:
		k := 5 + rng.IntN(100)
		name, opts = fmt.Sprintf("moved%d", k), []registrytest.Option{registrytest.WithOrder(registrytest.MovedToEnd(k))}
	case 3:
		name, opts = "reversed", []registrytest.Option{registrytest.WithOrder(registrytest.Reversed)}
	case 4:
		name, opts = "cursor", []registrytest.Option{registrytest.WithCursorPaging()}
	case 5:
		return sharedShape{name: fmt.Sprintf("ignore-last-cap%d", size), opts: []registrytest.Option{registrytest.WithIgnoreLast(), registrytest.WithMaxPageSize(size)}, mayFail: true}
	}
	if rng.IntN(3) == 0 && name != "cursor" { // a cursor without a Link cannot be followed, nor its end told
		opts, name = append(opts, registrytest.WithoutLink()), name+"-nolink"
	}
	opts = append(opts, registrytest.WithMaxPageSize(size), registrytest.WithDefaultPageSize(1+rng.IntN(size)))
	name += fmt.Sprintf("-cap%d", size)
	switch rng.IntN(4) {
	case 0:
		opts, name = append(opts, registrytest.WithRejectUnknownLast()), name+"-reject"
	case 1:
		opts, name = append(opts, registrytest.WithSkipPastUnknownLast()), name+"-skip"
	}
	if strings.HasPrefix(name, "cursor-") {
		return sharedShape{name: name, opts: opts, cursor: size}
	}
	return sharedShape{name: name, opts: opts}
}

// pickCatalog is a subset of a real catalog, at most about 3,000 tags so
// that a round seeds fast, with whole minors left out now and then, and
// odd tags added.
func pickCatalog(rng *rand.Rand) []string {
	base := tagcatalog.Prefect()
	if rng.IntN(3) == 0 {
		base = tagcatalog.PrefectClient()
	}
	keep := min(1, 3000/float64(len(base))) * []float64{1, 0.5, 0.2, 0.03}[rng.IntN(4)]
	var drop []string
	for range rng.IntN(4) {
		drop = append(drop, []string{"3.8.", "3.4.", "3.1", "2.", "3.0.0rc", "2.20.", "3.", "2.1", "3.7.8-"}[rng.IntN(9)])
	}
	var out []string
	for _, tg := range base {
		if rng.Float64() < keep && !slices.ContainsFunc(drop, func(p string) bool { return strings.HasPrefix(tg, p) }) {
			out = append(out, tg)
		}
	}
	for range rng.IntN(8) {
		out = append(out, sharedOdd[rng.IntN(len(sharedOdd))])
	}
	if len(out) == 0 {
		out = append(out, "3.8.3-python3.12")
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// pickSelector draws a selector around the versions in tags.
func pickSelector(rng *rand.Rand, releases []string) (diffSel, error) {
	v := "3.8.3"
	if len(releases) > 0 && rng.IntN(8) != 0 {
		v = releases[rng.IntN(len(releases))]
	}
	num := func(s string) int {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		n, _ := strconv.Atoi(s[:i])
		return n
	}
	parts := strings.SplitN(v, ".", 3)
	major, minor := num(parts[0]), 0
	if len(parts) > 1 {
		minor = num(parts[1])
	}
	mm := fmt.Sprintf("%d.%d", major, minor)
	// Plans pin mostly within a minor or a major: those forms come first
	// and most often, so that the narrowed readings meet.
	forms := [][]string{{
		v, "= " + v, "==" + v, "~> " + mm + ".0", "==" + mm + ".*", fmt.Sprintf(">= %s, < %d.%d", mm, major, minor+1), "~> " + v,
		fmt.Sprintf("%d.%d.%d", major, minor, 100),
	}, {
		"~> " + mm, "~> " + strconv.Itoa(major), "==" + strconv.Itoa(major) + ".*", "~=" + mm, fmt.Sprintf("~> %d.%d", major, minor+1),
		fmt.Sprintf(">= %d.%d, < %d", major, minor, major+1), fmt.Sprintf("~> %d.%d", major, 10+rng.IntN(15)), "~> 4.0", "4.0.0",
	}, {
		"", "> " + v, "< " + v, ">= " + v, "<= " + v, "!= " + v, "!=" + mm + ".*", ">= 2.0, < 4", ">= " + mm,
	}}[[]int{0, 0, 0, 1, 1, 2}[rng.IntN(6)]]
	s := diffSel{
		versions: forms[rng.IntN(len(forms))],
		python:   []string{"", "", "3.12", "3.11", "3.10", "3.9", "3.13", "3.14", ">= 3.12", "< 3.11", "3.8"}[rng.IntN(11)],
		flavor:   []string{"", "", "conda", "kubernetes", "standard"}[rng.IntN(5)],
		pre:      rng.IntN(3) == 0,
	}
	_, err := prefecttag.ParseSelector(s.versions, s.python, s.flavor, s.pre)
	return s, err
}

// sharedOp is one operation of a round; run does it and returns what is
// wrong ("" when right).
type sharedOp struct {
	wave int
	desc string
	run  func(ctx context.Context) string
}

// sharedRepo is one repository of a round and what its full catalog
// answers.
type sharedRepo struct {
	name, repo string
	ref        registry.Repository
	tags       []string
	whole      *prefecttag.Catalog
	releases   []string // the versions of its release tags
	ranges     []registry.TagRange
}

func sharedRound(t *testing.T, seed, round uint64) {
	rng := rand.New(rand.NewPCG(seed, round))
	shape := pickShape(rng)
	// Latency of 0–2 ms per request, drawn in arrival order, so that the
	// reads of a wave interleave differently from round to round.
	var jmu sync.Mutex
	jitter := rand.New(rand.NewPCG(seed, round+1<<32))
	opts := append(slices.Clone(shape.opts), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			jmu.Lock()
			d := time.Duration(jitter.IntN(2000)) * time.Microsecond
			jmu.Unlock()
			time.Sleep(d)
			next.ServeHTTP(w, req)
		})
	}))
	reg := registrytest.New(t, opts...)
	// Two repositories on one Client, the second now and then, so that
	// their listings must stay apart.
	var repos []*sharedRepo
	for i, name := range []string{"prefecthq/prefect", "prefecthq/prefect-client"}[:1+rng.IntN(2)] {
		tags := pickCatalog(rng)
		if i > 0 && len(tags) > 1000 {
			tags = tags[:1000] // seeded fast
		}
		if c := shape.cursor; c > 0 && len(tags) > c && rng.IntN(2) == 0 {
			tags = tags[:len(tags)/c*c]
		}
		if err := reg.Seed(name, tags); err != nil {
			t.Fatal(err)
		}
		ref, err := registry.ParseRepository(reg.Host() + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		sr := &sharedRepo{name: name, repo: reg.Host() + "/" + name, ref: ref, tags: tags, whole: prefecttag.NewCatalog(tags)}
		for _, tg := range tags {
			if p, err := prefecttag.ParseTag(tg); err == nil && p.Kind == prefecttag.KindRelease {
				sr.releases = append(sr.releases, p.Version.String())
			}
		}
		repos = append(repos, sr)
	}
	client := newClient(t)
	// Resolvers of every listing mode on the one Client, the default most.
	resolvers := []*Resolver{New(client, WithListing(ListReleases)), New(client, WithListing(ListSequential))}
	for range 8 {
		resolvers = append(resolvers, New(client))
	}

	waves := 1 + rng.IntN(4)
	nops := 5 + rng.IntN(26)
	// Now and then one selector alone first: the first range asked is
	// then most often a narrowed span, whose reading probes the order
	// (and leaves it to be checked when the list's first page ends
	// before the span).
	alone := rng.IntN(3) == 0
	if alone {
		waves++
	}
	var ops []sharedOp
	for i := range nops {
		op := sharedOp{wave: rng.IntN(waves)}
		k := rng.IntN(20)
		if alone {
			op.wave = 1 + rng.IntN(waves-1)
			if i == 0 {
				op.wave, k = 0, 0
			}
		}
		sr := repos[rng.IntN(len(repos))]
		ri := rng.IntN(len(resolvers))
		res := resolvers[ri]
		switch {
		case k < 12: // a selector
			s, err := pickSelector(rng, sr.releases)
			if err != nil {
				continue
			}
			op.desc = fmt.Sprintf("%s: select %+v (resolver %d)", sr.name, s, ri)
			op.run = func(ctx context.Context) string {
				sel, _ := prefecttag.ParseSelector(s.versions, s.python, s.flavor, s.pre)
				want := diffWant(sr.whole, sel)
				pin, err := res.Resolve(ctx, Request{Repository: sr.repo, Selector: sel})
				return checkPin(reg, sr.name, pin, err, want, shape.mayFail)
			}
		case k < 13: // an exact tag
			tg := sr.tags[rng.IntN(len(sr.tags))]
			op.desc = sr.name + ": tag " + tg
			op.run = func(ctx context.Context) string {
				pin, err := res.Resolve(ctx, Request{Repository: sr.repo, Tag: tg})
				return checkPin(reg, sr.name, pin, err, tg, shape.mayFail)
			}
		case k < 15: // the releases a filter keeps (prefectimage_releases)
			s, err := pickSelector(rng, sr.releases)
			if err != nil {
				continue
			}
			if rng.IntN(2) == 0 {
				s.flavor = "" // every flavor
			}
			op.desc = fmt.Sprintf("%s: releases %+v (resolver %d)", sr.name, s, ri)
			op.run = func(ctx context.Context) string {
				f, _ := prefecttag.ParseReleaseFilter(s.versions, s.python, s.flavor, s.pre)
				got, err := res.Releases(ctx, sr.repo, f)
				want := sr.whole.Releases(f)
				switch {
				case err != nil && shape.mayFail:
					return ""
				case err != nil:
					return fmt.Sprintf("error %v", err)
				case fmt.Sprint(got) != fmt.Sprint(want):
					return fmt.Sprintf("%d releases, the full catalog keeps %d", len(got), len(want))
				}
				return ""
			}
		default: // the Client's own listing of a range
			r := pickRange(rng, sr.tags, sr.releases, sr.ranges)
			sr.ranges = append(sr.ranges, r)
			soon := rng.IntN(2) == 0
			op.desc = fmt.Sprintf("%s: range %q..%q splits %q soon=%v", sr.name, r.After, r.Before, r.Splits, soon)
			op.run = func(ctx context.Context) string {
				var got []string
				var err error
				if soon {
					var settle func(context.Context) ([]string, error)
					got, settle, err = client.ListTagRangeSoon(ctx, sr.ref, r)
					if err == nil && settle != nil {
						got, err = settle(ctx)
					}
				} else {
					got, err = client.ListTagRange(ctx, sr.ref, r)
				}
				var inside []string
				for _, tg := range sr.tags {
					if (r.After == "" || tg > r.After) && (r.Before == "" || tg < r.Before) {
						inside = append(inside, tg)
					}
				}
				switch {
				case err != nil && shape.mayFail:
					return ""
				case err != nil:
					return fmt.Sprintf("error %v", err)
				case !slices.Equal(got, inside):
					return fmt.Sprintf("%d tags, want %d; missing %q, extra %q", len(got), len(inside), diff(inside, got), diff(got, inside))
				}
				return ""
			}
		}
		ops = append(ops, op)
	}
	ctx := context.Background()
	for w := range waves {
		var wg sync.WaitGroup
		for _, op := range ops {
			if op.wave != w {
				continue
			}
			wg.Go(func() {
				if msg := op.run(ctx); msg != "" {
					t.Errorf("%s, wave %d/%d: %s: %s", shape.name, w, waves, op.desc, msg)
				}
			})
		}
		wg.Wait()
	}
	if t.Failed() {
		for _, sr := range repos {
			t.Logf("%s: %d tags", sr.name, len(sr.tags))
		}
	}
}

// pickRange draws a range: a selector's span as the resolver asks it,
// every release tag, the whole list, bounds around catalog tags, or a
// range inside one asked before.
func pickRange(rng *rand.Rand, tags, releases []string, before []registry.TagRange) registry.TagRange {
	bound := func() string {
		tg := tags[rng.IntN(len(tags))]
		switch rng.IntN(4) {
		case 0:
			return tg + "~"
		case 1:
			return tg[:1+rng.IntN(len(tg))]
		}
		return tg
	}
	switch rng.IntN(7) {
	case 0:
		return registry.TagRange{}
	case 1:
		return releaseRange(releaseTags)
	case 2:
		r := registry.TagRange{After: bound(), Before: bound()}
		if r.After > r.Before {
			r.After, r.Before = r.Before, r.After
		}
		return r
	case 3:
		if len(before) > 0 {
			o := before[rng.IntN(len(before))]
			in := registry.TagRange{After: o.After, Before: o.Before}
			b := bound()
			if (o.After == "" || b > o.After) && (o.Before == "" || b < o.Before) {
				if rng.IntN(2) == 0 {
					in.After = b
				} else {
					in.Before = b
				}
			}
			return in
		}
	}
	s, err := pickSelector(rng, releases)
	if err == nil {
		sel, _ := prefecttag.ParseSelector(s.versions, s.python, s.flavor, s.pre)
		if spans := sel.ReleaseSpans(); len(spans) > 0 {
			return releaseRange(spans[rng.IntN(len(spans))])
		}
	}
	return releaseRange(releaseTags)
}

// checkPin says what is wrong with a pin that should be of tag want
// ("ERR": no tag matches), "" when nothing.
func checkPin(reg *registrytest.Registry, name string, pin Pin, err error, want string, mayFail bool) string {
	var noMatch *NoMatchError
	switch {
	case err != nil && want == "ERR" && errors.As(err, &noMatch):
		return ""
	case err != nil && mayFail:
		return ""
	case err != nil:
		return fmt.Sprintf("error %v, want %q", err, want)
	case pin.Tag != want:
		return fmt.Sprintf("picked %q, selection over the full catalog picks %q", pin.Tag, want)
	}
	if d, err := reg.Digest(name, pin.Tag); err != nil || d != pin.Digest {
		return fmt.Sprintf("pinned %s at %s, which the registry has at %s (%v)", pin.Tag, pin.Digest, d, err)
	}
	return ""
}

// diff is what a holds that b does not, the first few.
func diff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
			if len(out) == 5 {
				break
			}
		}
	}
	return out
}
