package resolver

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

type diffSel struct {
	versions, python, flavor string
	pre                      bool
}

var diffSelectors = []diffSel{
	{"", "", "", false}, {"", "", "", true}, {"", "3.12", "kubernetes", false},
	{"!= 3.8.3", "", "", false}, {"!= 3.8.3", "3.11", "conda", true},
	{">= 2.0, < 4", "", "", false}, {">= 2.0, < 4", "3.10", "", true},
	{"~> 3", "", "", false}, {"~> 3", "3.13", "kubernetes", true},
	{"==3.*", "", "", false}, {"==3.*", "", "", true}, {"==2.*", "3.8", "conda", false},
	{"~=3.1", "", "", false}, {"~=3.1", "3.9", "", true},
	{"< 3.0.0rc5", "", "", true}, {"< 3.0.0rc5", "3.11", "", true},
	{"3.0.0rc14", "", "", false}, {"3.0.0rc14", "3.11", "conda", false}, {"==3.0.0rc3", "3.10", "", false},
	{"2.0b8", "", "", false}, {"= 2.0b8", "3.9", "", false},
	{"3.1.16.dev2", "", "", false}, {"~> 3.1.0", "", "", true},
	{"~> 3.8.0", ">= 3.12", "kubernetes", false}, {"~> 2.20", "3.11", "", false}, {"~> 2.20", "", "conda", true},
	{">= 3.9, < 4", "", "", false}, {">= 3.9, < 4", "", "", true}, {"> 3.7.99", "", "", false},
	{">= 3.10", "", "", false}, {"~> 3.10", "", "", true}, {"~> 4.0", "", "", true}, {"~> 4", "", "", false},
	{">= 3.1, < 3.5", "3.11", "conda", false}, {"==3.4.*", "< 3.12", "", true}, {"3.7.8", "3.12", "", false},
	{"3.7.8", "", "", false}, {"= 3.8", "", "", false}, {">= 2.20.0, <= 2.20.5", "", "", false},
	{"> 3.8.4", "", "", true}, {"< 3.0.0", "", "", true}, {"<= 3.0.0rc20", "", "", true},
	{"~> 3.8.4", "", "", true}, {"!=3.8.*", "", "", false}, {"==3.10.*", "", "", false},
}

// fleetSelectors are the selectors of the benchmark's fleet (bench.Fleet),
// and those that picked old releases on registries not in lexical order.
var fleetSelectors = func() []diffSel {
	var out []diffSel
	for _, py := range []string{"3.10", "3.11", "3.12", "3.13", "3.14"} {
		for _, f := range []string{"standard", "conda", "kubernetes"} {
			out = append(out, diffSel{"~> 3.8.0", py, f, false})
		}
	}
	return append(out,
		diffSel{"3.7.8", "3.12", "", false}, diffSel{"3.7.8", "3.11", "conda", false}, diffSel{"~> 2.20", "3.11", "", false},
		diffSel{"~> 2.20", "3.11", "kubernetes", false}, diffSel{">= 3.4, < 3.5", "", "", false}, diffSel{"~> 3.8.0", "3.12", "", false})
}()

func diffSelector(t *testing.T, s diffSel) prefecttag.Selector {
	t.Helper()
	sel := selector(t, s.versions, s.python, prefecttag.Flavor(s.flavor))
	sel.AllowPrereleases = s.pre
	return sel
}

// picksAsWholeList resolves each selector in repo, which holds tags, with a
// resolver of its own, and checks that it picks what selection over the
// whole list picks (an error where that selection finds nothing).
func picksAsWholeList(t *testing.T, repo string, tags []string, sels []diffSel) {
	t.Helper()
	whole := prefecttag.NewCatalog(tags)
	for _, s := range sels {
		sel := diffSelector(t, s)
		want := diffWant(whole, sel)
		pin, err := New(newClient(t)).Resolve(context.Background(), Request{Repository: repo, Selector: sel})
		got := pin.Tag
		if err != nil {
			got = "ERR"
		}
		if got != want {
			t.Errorf("%+v: picked %q (err %v), selection over the whole list picks %q", s, got, err, want)
		}
	}
}

func diffWant(whole *prefecttag.Catalog, sel prefecttag.Selector) string {
	tg, err := whole.Select(sel)
	if err != nil {
		return "ERR"
	}
	return tg.Name
}

// The narrowed, concurrent listing picks what a selection over
// every tag picks, for many selectors, catalogs and registry behaviours.
func TestNarrowedListingPicksAsFullCatalog(t *testing.T) {
	extra := []string{
		"3.10.0-python3.12", "3.10.0-python3.13-kubernetes", "3.10.1rc1-python3.12",
		"4.0.0-python3.12", "4.0.0rc1-python3.12", "4.0.0.dev3-python3.12", "3.9.0.dev1-python3.13",
		"3.100.0-python3.12", "2.150.0-python3.11",
	}
	catalogs := map[string][]string{
		"prefect":       tagcatalog.Prefect(),
		"prefect+extra": append(slices.Clone(tagcatalog.Prefect()), extra...),
		"client":        tagcatalog.PrefectClient(),
		"client+extra":  append(slices.Clone(tagcatalog.PrefectClient()), extra...),
	}
	// Every shape of registrytest.Shapes must give the whole catalog's
	// answer. The ignore modes link the same page forever: an error is
	// the right answer there, a wrong pin never.
	modes := map[string][]registrytest.Option{
		"page25":   {registrytest.WithMaxPageSize(25), registrytest.WithDefaultPageSize(5)},
		"ignore":   {registrytest.WithIgnoreLast(), registrytest.WithMaxPageSize(1000)},
		"ignore97": {registrytest.WithIgnoreLast(), registrytest.WithMaxPageSize(97)},
	}
	for _, shape := range registrytest.Shapes() {
		modes[shape.Name] = shape.Opts
	}
	selectors := append(slices.Clone(diffSelectors), fleetSelectors...)
	for cname, tags := range catalogs {
		whole := prefecttag.NewCatalog(tags)
		// Seeded once per catalog, served in each mode by a registry of
		// its own (its own counts and server).
		seeded := registrytest.New(t)
		if err := seeded.Seed("prefecthq/prefect", tags); err != nil {
			t.Fatal(err)
		}
		for mname, opts := range modes {
			t.Run(cname+"/"+mname, func(t *testing.T) {
				reg := seeded.Share(t, opts...)
				repo := reg.Host() + "/prefecthq/prefect"
				check := func(s diffSel, pin Pin, err error) {
					want := diffWant(whole, diffSelector(t, s))
					got := pin.Tag
					if err != nil {
						got = "ERR"
					}
					if got == want {
						return
					}
					// An error where a registry cannot be paged is
					// acceptable (the ignore modes link one page forever,
					// their own shape included when it errs); a different
					// tag is not.
					if got == "ERR" && strings.HasPrefix(mname, "ignore") && want != "ERR" && !slices.ContainsFunc(registrytest.Shapes(), func(sh registrytest.Shape) bool { return sh.Name == mname }) {
						t.Logf("%+v: error (acceptable for %s): %v", s, mname, err)
						return
					}
					t.Errorf("%+v: picked %q (err %v), the whole catalog %q", s, got, err, want)
				}
				// One client for every selector, one after another.
				shared := New(newClient(t))
				for _, s := range selectors {
					pin, err := shared.Resolve(context.Background(), Request{Repository: repo, Selector: diffSelector(t, s)})
					check(s, pin, err)
				}
				// A fresh client for the fleet at once, as a plan resolves it.
				plan := New(newClient(t))
				var wg sync.WaitGroup
				for _, s := range fleetSelectors {
					wg.Go(func() {
						pin, err := plan.Resolve(context.Background(), Request{Repository: repo, Selector: diffSelector(t, s)})
						check(s, pin, err)
					})
				}
				wg.Wait()
			})
		}
	}
}

// many different selectors resolved at once on one resolver: two
// spans of the same repository listed concurrently.
func TestNarrowedListingConcurrentPicksAsFullCatalog(t *testing.T) {
	tags := append(slices.Clone(tagcatalog.Prefect()), "3.10.0-python3.12", "4.0.0-python3.12")
	whole := prefecttag.NewCatalog(tags)
	seeded := registrytest.New(t)
	if err := seeded.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]registrytest.Option{
		{registrytest.WithMaxPageSize(25)},
		{registrytest.WithMaxPageSize(100)},
		{registrytest.WithOrder(registrytest.MovedToEnd(50))},
		{registrytest.WithCursorPaging()},
	} {
		reg := seeded.Share(t, opts...)
		repo := reg.Host() + "/prefecthq/prefect"
		r := New(newClient(t))
		var wg sync.WaitGroup
		for round := range 3 {
			for _, s := range diffSelectors {
				wg.Go(func() {
					sel := diffSelector(t, s)
					want := diffWant(whole, sel)
					pin, err := r.Resolve(context.Background(), Request{Repository: repo, Selector: sel})
					got := pin.Tag
					if err != nil {
						got = "ERR"
					}
					if got != want {
						t.Errorf("round %d %+v: picked %q (%v), want %q", round, s, got, err, want)
					}
				})
			}
		}
		wg.Wait()
	}
}

// a registry that answers a `last` that is not one of its tags with
// an empty page and no Link (as a registry that locates `last` by exact
// match might). Here it does so only for the split points ("3.4", "2.1",
// "3.8.1": no '-'), not for the range starts ("3.7~"), so the first page
// of every range is right and only the concurrent pieces are empty.
func TestSplitAnsweredEmptyFallsBackToSequential(t *testing.T) {
	tags := tagcatalog.Prefect()
	reg := registrytest.Prefect(t, registrytest.WithMaxPageSize(100), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if strings.HasSuffix(req.URL.Path, "/tags/list") {
				if last := req.URL.Query().Get("last"); last != "" && !strings.ContainsAny(last, "-~/:") {
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprint(w, `{"name":"prefecthq/prefect","tags":[]}`)
					return
				}
			}
			next.ServeHTTP(w, req)
		})
	}))
	picksAsWholeList(t, reg.Host()+"/prefecthq/prefect", tags, diffSelectors)
}

// a registry that refuses (400) a `last` that is not one of its
// tags. Every range the resolver lists starts with such a `last` ("/~",
// "3.7~"), and a 400 there is not treated as a refused split: the pin
// fails although a plain listing (no `last` until the registry's own
// Link) would work.
func TestRangeStartRefusedReadsFromStart(t *testing.T) {
	tags := tagcatalog.Prefect()
	set := map[string]bool{}
	for _, tg := range tags {
		set[tg] = true
	}
	reg := registrytest.Prefect(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if strings.HasSuffix(req.URL.Path, "/tags/list") {
				if last := req.URL.Query().Get("last"); last != "" && !set[last] {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprint(w, `{"errors":[{"code":"BAD_REQUEST","message":"the last: `+last+` should be a valid tag name."}]}`)
					return
				}
			}
			next.ServeHTTP(w, req)
		})
	}))
	picksAsWholeList(t, reg.Host()+"/prefecthq/prefect", tags, []diffSel{{"", "", "", false}, {"~> 3.8.0", "3.12", "", false}})
}

// A registry that refuses an n above its limit instead of capping it, as
// CNCF distribution v3.1.0 does with tags.maxtags set below the 1000
// asked for (400 PAGINATION_NUMBER_INVALID), and answers without n: with
// every tag at once (v3.1.0), or with pages of its own size and Links.
// Every tag list request sent n=1000, so every pin failed with the 400.
func TestRefusedPageSizePicksAsFullCatalog(t *testing.T) {
	tags := tagcatalog.Prefect()
	refuse := registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if n, err := strconv.Atoi(req.URL.Query().Get("n")); err == nil && n > 100 && strings.HasSuffix(req.URL.Path, "/tags/list") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"errors":[{"code":"PAGINATION_NUMBER_INVALID","message":"invalid number of results requested","detail":{"n":`+strconv.Itoa(n)+`}}]}`)
				return
			}
			next.ServeHTTP(w, req)
		})
	})
	for name, opts := range map[string][]registrytest.Option{
		"whole-without-n": {refuse, registrytest.WithDefaultPageSize(1 << 20), registrytest.WithMaxPageSize(1 << 20)},
		"pages-of-100":    {refuse, registrytest.WithMaxPageSize(100)},
	} {
		t.Run(name, func(t *testing.T) {
			reg := registrytest.Prefect(t, opts...)
			picksAsWholeList(t, reg.Host()+"/prefecthq/prefect", tags, append(slices.Clone(diffSelectors), fleetSelectors...))
		})
	}
}
