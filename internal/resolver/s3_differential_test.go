package resolver

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/selectref"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// On CNCF distribution v3.1 on S3 (registrytest.ObjectStorageShape: tags
// in storage-key order, last a byte bound, so that its own Links skip
// tags and send some twice; every tag without n), every selector of the
// fleet and of the 45-selector set picks what selection over the full
// catalog picks: one client for every selector one after another, and a
// fresh client for the fleet at once, as a plan resolves it. The catalogs:
// Prefect's; with tags it never published (minors of two and three
// digits, a major of 4); the client image's; and a short list, fewer tags
// than a page. The shape is not one of registrytest.Shapes, which
// TestNarrowedListingPicksAsFullCatalog runs.
func TestS3ShapePicksAsFullCatalog(t *testing.T) {
	extra := []string{
		"3.10.0-python3.12", "3.10.0-python3.13-kubernetes", "3.10.1rc1-python3.12",
		"4.0.0-python3.12", "4.0.0rc1-python3.12", "4.0.0.dev3-python3.12", "3.9.0.dev1-python3.13",
		"3.100.0-python3.12", "2.150.0-python3.11",
	}
	var short []string
	for _, tg := range tagcatalog.Prefect() {
		if strings.HasPrefix(tg, "3.7.") || strings.HasPrefix(tg, "2.20.2") || strings.HasPrefix(tg, "3-") {
			short = append(short, tg)
		}
	}
	catalogs := map[string][]string{
		"prefect":       tagcatalog.Prefect(),
		"prefect+extra": append(slices.Clone(tagcatalog.Prefect()), extra...),
		"client+extra":  append(slices.Clone(tagcatalog.PrefectClient()), extra...),
		"short":         short,
	}
	if n := len(short); n >= 1000 || n < 100 {
		t.Fatalf("the short catalog holds %d tags: want fewer than a page (1,000), and some", n)
	}
	shape := registrytest.ObjectStorageShape()
	selectors := append(slices.Clone(diffSelectors), fleetSelectors...)
	for cname, tags := range catalogs {
		t.Run(cname, func(t *testing.T) {
			whole := prefecttag.NewCatalog(tags)
			reg := registrytest.New(t, shape.Opts...)
			if err := reg.Seed("prefecthq/prefect", tags); err != nil {
				t.Fatal(err)
			}
			repo := reg.Host() + "/prefecthq/prefect"
			check := func(how string, s diffSel, pin Pin, err error) {
				want := diffWant(whole, diffSelector(t, s))
				got := pin.Tag
				if err != nil {
					got = "ERR"
				}
				if got != want {
					t.Errorf("%s %+v: picked %q (err %v), the whole catalog %q", how, s, got, err, want)
				}
			}
			shared := New(newClient(t))
			for _, s := range selectors {
				pin, err := shared.Resolve(context.Background(), Request{Repository: repo, Selector: diffSelector(t, s)})
				check("one after another", s, pin, err)
			}
			plan := New(newClient(t))
			var wg sync.WaitGroup
			for _, s := range fleetSelectors {
				wg.Go(func() {
					pin, err := plan.Resolve(context.Background(), Request{Repository: repo, Selector: diffSelector(t, s)})
					check("fleet at once", s, pin, err)
				})
			}
			wg.Wait()
		})
	}
}

// prefectimage_releases lists on the S3 shape what the full catalog lists,
// for the fixed filters of TestReleasesListAsFullCatalogOnEveryShape, each
// with a client of its own.
func TestS3ShapeReleasesListAsFullCatalog(t *testing.T) {
	tags := append(slices.Clone(tagcatalog.Prefect()), selectref.ExtraTags...)
	tags = append(tags, "3.8.3.post1-python3.12", "3.8.3rc1-python3.12", "3.8.30-python3.12", "3.8-python3.12", "3-latest")
	whole := prefecttag.NewCatalog(tags)
	reg := registrytest.New(t, registrytest.ObjectStorageShape().Opts...)
	if err := reg.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	repo := reg.Host() + "/prefecthq/prefect"
	for _, s := range releasesFilters {
		f := releaseFilter(t, s.versions, s.python, s.flavor, s.pre)
		c := newClient(t)
		got, err := New(c).Releases(context.Background(), repo, f)
		c.CloseIdleConnections()
		if err != nil {
			t.Errorf("%+v: %v", s, err)
			continue
		}
		if g, w := describe(got), describe(whole.Releases(f)); g != w {
			t.Errorf("%+v:\n got  %.400s\n want %.400s", s, g, w)
		}
	}
}
