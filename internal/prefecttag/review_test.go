package prefecttag_test

import (
	"slices"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/selectref"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

func reviewCatalogs() map[string][]string {
	return map[string][]string{
		"prefect":        append(tagcatalog.Prefect(), selectref.ExtraTags...),
		"prefect-client": tagcatalog.PrefectClient(),
	}
}

// Selection over a whole catalog picks what SPEC's rules pick, computed by
// brute force with the independent reference of package selectref, for
// random constraints in both syntaxes drawn near the catalog's versions,
// random Python constraints, flavors and allow_prereleases. The data
// source's version list is checked against the same reference.
func TestReviewSelectMatchesReference(t *testing.T) {
	for name, tags := range reviewCatalogs() {
		t.Run(name, func(t *testing.T) {
			cat := prefecttag.NewCatalog(tags)
			refTags := selectref.ParseTags(tags)
			g := selectref.NewGen(7, tags)
			checked, matched, bad := 0, 0, 0
			n := 4000
			if testing.Short() {
				n = 600
			}
			for range n {
				cs, text := g.Constraint()
				pys, pyText := g.Python()
				flavor := g.Flavor()
				pre := g.R.IntN(3) == 0
				sel, err := prefecttag.ParseSelector(text, pyText, flavor, pre)
				if err != nil && cs.Unmeetable() {
					continue // refused rightly, as a constraint no version meets
				}
				if err != nil {
					bad++
					if bad <= 10 {
						t.Errorf("ParseSelector(%q, %q, %q) refused a valid selector: %v", text, pyText, flavor, err)
					}
					continue
				}
				ref := selectref.Selector{Versions: cs, Python: pys, Flavor: flavor, AllowPre: pre}
				want, wantOK := refTags.Select(ref)
				got, err := cat.Select(sel)
				checked++
				if wantOK {
					matched++
				}
				switch {
				case !wantOK && err == nil:
					bad++
					if bad <= 10 {
						t.Errorf("%s: picked %s, SPEC picks nothing", sel, got.Name)
					}
				case wantOK && err != nil:
					bad++
					if bad <= 10 {
						t.Errorf("%s: %v, SPEC picks %s", sel, err, want)
					}
				case wantOK && got.Name != want:
					bad++
					if bad <= 10 {
						t.Errorf("%s: picked %s, SPEC picks %s", sel, got.Name, want)
					}
				}

				// The releases data source, flavor "" meaning every flavor.
				filter, err := prefecttag.ParseReleaseFilter(text, pyText, flavor, pre)
				if err != nil {
					t.Fatalf("ParseReleaseFilter(%q, %q, %q): %v", text, pyText, flavor, err)
				}
				var gotVersions []string
				rels := cat.Releases(filter)
				for _, r := range rels {
					gotVersions = append(gotVersions, r.Version.String())
				}
				if len(rels) > 0 {
					// Images of the newest and of one more release.
					wantImages := refTags.ReleaseImages(ref)
					for _, r := range []prefecttag.Release{rels[0], rels[g.R.IntN(len(rels))]} {
						var got []string
						for _, img := range r.Images {
							got = append(got, img.Name)
						}
						if want := wantImages[r.Version.String()]; !slices.Equal(got, want) {
							bad++
							if bad <= 10 {
								t.Errorf("releases %q %q %q pre=%v: %s has images %v, SPEC %v", text, pyText, flavor, pre, r.Version, got, want)
							}
						}
					}
				}
				if wantVersions := refTags.Releases(ref); !slices.Equal(gotVersions, wantVersions) {
					bad++
					if bad <= 10 {
						t.Errorf("releases %q %q %q pre=%v: %v, SPEC lists %v", text, pyText, flavor, pre, head(gotVersions), head(wantVersions))
					}
				}
			}
			t.Logf("%d selectors checked, %d with a match, %d wrong", checked, matched, bad)
		})
	}
}

func head(s []string) []string {
	if len(s) > 8 {
		return append(s[:8:8], "…")
	}
	return s
}

func TestReviewNamesOneVersion(t *testing.T) {
	for in, want := range map[string]bool{
		"3.1.15": true, "= 3.1": true, "==3.1": true, "3.1.15.0": true, "3.1.15, != 3.1.14": true, ">= 3.1, ==3.1.15": true,
		"": false, "==3.1.*": false, "!= 3.1.15": false, "~> 3.1.0": false, ">= 3.1.15, <= 3.1.15": false,
	} {
		c, err := prefecttag.ParseConstraint(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.NamesOneVersion(); got != want {
			t.Errorf("%q: NamesOneVersion() = %v, want %v", in, got, want)
		}
	}
}
