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

// A resolver that lists only the spans a selector can pick, through a
// registry paged 100 tags at a time, picks what SPEC's rules pick over the
// whole list (computed by brute force by package selectref, not by
// prefecttag), for random selectors; and the releases it lists through the
// same spans are SPEC's. Each selector gets a client of its own, so that
// no listing of an earlier one is reused.
func TestReviewNarrowedResolveMatchesReference(t *testing.T) {
	for name, tags := range map[string][]string{
		"prefect": append(tagcatalog.Prefect(), selectref.ExtraTags...),
		"client":  append(tagcatalog.PrefectClient(), selectref.ExtraTags...),
	} {
		t.Run(name, func(t *testing.T) {
			reg := registrytest.New(t, registrytest.WithMaxPageSize(100))
			if err := reg.Seed("prefecthq/prefect", tags); err != nil {
				t.Fatal(err)
			}
			repo := reg.Host() + "/prefecthq/prefect"
			ref := selectref.ParseTags(tags)
			g := selectref.NewGen(11, tags)
			n := 400
			if testing.Short() {
				n = 60
			}
			matched := 0
			for i := range n {
				cs, text := g.Constraint()
				pys, pyText := g.Python()
				flavor := g.Flavor()
				pre := g.R.IntN(3) == 0
				rs := selectref.Selector{Versions: cs, Python: pys, Flavor: flavor, AllowPre: pre}
				sel, err := prefecttag.ParseSelector(text, pyText, flavor, pre)
				if err != nil && cs.Unmeetable() {
					continue // refused when parsed, as no version meets it
				}
				if err != nil {
					t.Fatalf("ParseSelector(%q, %q, %q): %v", text, pyText, flavor, err)
				}
				want, wantOK := ref.Select(rs)
				// A fresh Client per selector, so that each reads its own
				// ranges; its connections are closed after it, or 800
				// Clients' idle connections run out of file descriptors.
				c := newClient(t)
				pin, err := New(c).Resolve(context.Background(), Request{Repository: repo, Selector: sel})
				c.CloseIdleConnections()
				switch {
				case wantOK && err != nil:
					t.Errorf("#%d %s: %v; SPEC picks %s", i, sel, err, want)
				case !wantOK && err == nil:
					t.Errorf("#%d %s: picked %s; SPEC picks nothing", i, sel, pin.Tag)
				case wantOK && pin.Tag != want:
					t.Errorf("#%d %s: picked %s; SPEC picks %s", i, sel, pin.Tag, want)
				}
				if wantOK {
					matched++
				}

				filter, err := prefecttag.ParseReleaseFilter(text, pyText, flavor, pre)
				if err != nil {
					t.Fatal(err)
				}
				c = newClient(t)
				rels, err := New(c).Releases(context.Background(), repo, filter)
				c.CloseIdleConnections()
				if err != nil {
					t.Fatalf("#%d releases %q: %v", i, text, err)
				}
				var got []string
				for _, r := range rels {
					got = append(got, r.Version.String())
				}
				if wantVersions := ref.Releases(rs); !slices.Equal(got, wantVersions) {
					t.Errorf("#%d releases %q %q %q pre=%v: %v; SPEC lists %v", i, text, pyText, flavor, pre, got, wantVersions)
				}
			}
			t.Logf("%d selectors, %d with a match", n, matched)
		})
	}
}

// Exact selectors (one version, one Python) take the HEAD-only path when
// the tag exists, and list when it does not: either way the pick is SPEC's.
// The versions include spellings of one version that differ from its tag
// ("2.0.0b8" for 2.0b8, "3.1.15.0", "= 3.1.15", "==3.0.0rc14") and
// prereleases named without allow_prereleases.
func TestReviewExactSelectorsMatchReference(t *testing.T) {
	tags := append(tagcatalog.Prefect(), selectref.ExtraTags...)
	reg := registrytest.New(t, registrytest.WithMaxPageSize(100))
	if err := reg.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	repo := reg.Host() + "/prefecthq/prefect"
	ref := selectref.ParseTags(tags)
	r := New(newClient(t))
	versions := []string{"3.1.15", "= 3.1.15", "==3.1.15", "3.1.15.0", "3.0.0rc14", "==3.0.0rc14", "2.0b8", "2.0.0b8", "= 2.0.0b8",
		"3.1.15.post1", "3.1.16.dev2", "3.1.16", "3.2.0rc1.dev2", "2.8.0", "2.9.0", "3.8.3", "4.0.0", "3.1.9", "3.2.14", "3.1"}
	for _, v := range versions {
		for _, py := range []string{"3.9", "3.12", "==3.13", "= 3.14", "3.10"} {
			for _, f := range []string{"", "conda", "kubernetes"} {
				sel, err := prefecttag.ParseSelector(v, py, f, false)
				if err != nil {
					t.Fatal(err)
				}
				c := selectref.Clause{Op: "==", V: selectref.MustVersion(strings.TrimLeft(v, "= "))}
				pyV := selectref.MustVersion(strings.TrimLeft(py, "= "))
				rs := selectref.Selector{Versions: selectref.Constraint{c}, Python: []selectref.PyClause{{Op: "==", Major: pyV.Release[0], Minor: pyV.Release[1], HasMinor: true}}, Flavor: f}
				want, wantOK := ref.Select(rs)
				pin, err := r.Resolve(context.Background(), Request{Repository: repo, Selector: sel})
				switch {
				case wantOK && (err != nil || pin.Tag != want):
					t.Errorf("%s: picked %q (%v); SPEC picks %s", sel, pin.Tag, err, want)
				case !wantOK && err == nil:
					t.Errorf("%s: picked %s; SPEC picks nothing", sel, pin.Tag)
				}
			}
		}
	}
}
