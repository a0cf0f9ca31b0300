package resolver

import (
	"context"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A plan's pins share the registry client's listing of a repository; they
// must share its parse too. A selector that lists every release tag (no
// prefect_version: the newest stable release) or a whole major (~> 3.0)
// lists thousands of tags, and parsing them per pin made a plan's CPU time
// grow with pins × tags. Once one pin has resolved, another pin of the same
// listing (another Python or flavor, its tag's HEAD already made) costs a
// small fraction of what parsing the listing does, counted in allocations,
// which do not depend on the machine's speed. So does a releases data
// source over a listing a pin read.
func TestResolveParsesEachListingOnce(t *testing.T) {
	tags := tagcatalog.Prefect()
	reg := registrytest.Prefect(t)
	repo := reg.Host() + "/prefecthq/prefect"
	ctx := context.Background()
	for _, tc := range []struct {
		name, versions string
		span           func(string) bool // the tags the listing holds
	}{
		{"every release tag", "", func(string) bool { return true }},
		{"a major", "~> 3.0", func(t string) bool { return len(t) > 2 && t[:2] == "3." }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var listed []string
			for _, tag := range tags {
				if tc.span(tag) {
					listed = append(listed, tag)
				}
			}
			parse := testing.AllocsPerRun(1, func() { prefecttag.NewCatalog(listed) })
			r := New(newClient(t))
			first := Request{Repository: repo, Selector: selector(t, tc.versions, "3.12", "")}
			if _, err := r.Resolve(ctx, first); err != nil {
				t.Fatal(err)
			}
			for _, other := range []Request{
				{Repository: repo, Selector: selector(t, tc.versions, "3.11", prefecttag.FlavorConda)},
				{Repository: repo, Selector: selector(t, tc.versions, "3.10", prefecttag.FlavorKubernetes)},
			} {
				var err error
				// One run before counting: the other pin's HEAD.
				perPin := testing.AllocsPerRun(5, func() {
					if _, e := r.Resolve(ctx, other); e != nil {
						err = e
					}
				})
				if err != nil {
					t.Fatal(err)
				}
				if perPin > parse/10 {
					t.Errorf("another pin of the same listing (%s, Python %s, %s) allocates %.0f times; parsing the listing's %d tags allocates %.0f: each pin parses the listing again", tc.versions, other.Selector.Python, other.Selector.Flavor, perPin, len(listed), parse)
				}
			}
			filter, err := prefecttag.ParseReleaseFilter(tc.versions, "3.12", "", false)
			if err != nil {
				t.Fatal(err)
			}
			releases := testing.AllocsPerRun(5, func() {
				if _, e := r.Releases(ctx, repo, filter); e != nil {
					err = e
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if releases > parse/10 {
				t.Errorf("a releases data source over a listing a pin read allocates %.0f times; parsing the listing's %d tags allocates %.0f: it parses the listing again", releases, len(listed), parse)
			}
		})
	}
}
