package resolver

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/selectref"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// releasesFilters are filters of prefectimage_releases at the edges of
// its arguments: none, each alone, all four, an exact prerelease, a
// constraint across majors (every release tag), one that only 3.10 and
// later meet (3.10 sorts before 3.9 lexically), one that nothing meets.
var releasesFilters = []diffSel{
	{"", "", "", false}, {"", "", "", true}, {"", "3.12", "", false}, {"", ">= 3.13", "", true}, {"", "", "conda", false},
	{"", "", "kubernetes", true}, {"~> 3.8.0", "", "", true}, {"==3.0.*", "3.11", "", true}, {"3.0.0rc14", "", "", false},
	{">= 2.20, < 3.1", "", "standard", false}, {"> 3.9", "", "", true}, {">= 3.1, != 3.4.*", "< 3.11", "conda", false},
	{"~> 9.0", "", "", true}, {"2.0b8", "", "", false}, {"~= 3.1.15", "", "", true}, {"<= 2.0.0", "", "", true},
}

// prefectimage_releases lists, on every tag list shape registrytest
// offers, what the full catalog lists (computed without HTTP): the same
// releases with the same images, in PEP 440 order (checked apart, by
// package selectref: prereleases, dev and post releases, 3.10 after 3.9),
// for fixed filters at the edges of each argument and random ones. Each
// filter reads with a client of its own, so that each first reading of a
// span is tested, not one served from an earlier listing. The shapes that
// link one page forever may fail; a wrong list is never right.
func TestReleasesListAsFullCatalogOnEveryShape(t *testing.T) {
	tags := append(slices.Clone(tagcatalog.Prefect()), selectref.ExtraTags...)
	tags = append(tags, "3.8.3.post1-python3.12", "3.8.3rc1-python3.12", "3.8.30-python3.12", "3.8-python3.12", "3-latest")
	whole := prefecttag.NewCatalog(tags)
	ref := selectref.ParseTags(tags)
	type shape struct {
		name    string
		opts    []registrytest.Option
		mayFail bool
	}
	var shapes []shape
	for _, s := range registrytest.Shapes() {
		shapes = append(shapes, shape{s.Name, s.Opts, false})
	}
	shapes = append(shapes,
		shape{"ignore-last-cap1000", []registrytest.Option{registrytest.WithIgnoreLast()}, true},
		shape{"ignore-last-cap97", []registrytest.Option{registrytest.WithIgnoreLast(), registrytest.WithMaxPageSize(97)}, true})
	random := 12
	if testing.Short() {
		random = 4
	}
	seeded := registrytest.New(t)
	if err := seeded.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			reg := seeded.Share(t, sh.opts...)
			repo := reg.Host() + "/prefecthq/prefect"
			list := func(f prefecttag.ReleaseFilter) ([]prefecttag.Release, bool) {
				t.Helper()
				c := newClient(t)
				defer c.CloseIdleConnections()
				got, err := New(c).Releases(context.Background(), repo, f)
				if err != nil && !sh.mayFail {
					t.Errorf("%+v: %v", f, err)
				}
				return got, err == nil
			}
			for _, s := range releasesFilters {
				f := releaseFilter(t, s.versions, s.python, s.flavor, s.pre)
				if got, ok := list(f); ok {
					if g, w := describe(got), describe(whole.Releases(f)); g != w {
						t.Errorf("%+v:\n got  %.400s\n want %.400s", s, g, w)
					}
				}
			}
			g := selectref.NewGen(uint64(len(sh.name)), tags)
			for i := 0; i < random; {
				cs, text := g.Constraint()
				py, pyText := g.Python()
				flavor, pre := g.Flavor(), g.R.IntN(3) == 0
				if cs.Unmeetable() {
					continue // refused when parsed
				}
				i++
				f := releaseFilter(t, text, pyText, flavor, pre)
				got, ok := list(f)
				if !ok {
					continue
				}
				rs := selectref.Selector{Versions: cs, Python: py, Flavor: flavor, AllowPre: pre}
				images := ref.ReleaseImages(rs)
				var want []string
				for _, v := range ref.Releases(rs) {
					want = append(want, v+": "+strings.Join(images[v], " "))
				}
				if g, w := describe(got), strings.Join(want, "; "); g != w {
					t.Errorf("%q %q %q pre=%v:\n got  %.400s\n SPEC %.400s", text, pyText, flavor, pre, g, w)
				}
			}
		})
	}
}
