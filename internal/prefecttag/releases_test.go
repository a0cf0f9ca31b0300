package prefecttag

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// rawTag is a release tag as this test reads it from a catalog line with
// plain string handling, so that the expectations do not come from the code
// under test.
type rawTag struct {
	line, version, python, flavor string
}

// rawReleaseTags keeps the lines of the form <version>-python<py>[-<flavor>]
// whose version is a full one: sha- and latest tags have a '-' before
// "-python", minor and major tags (3.1, 3) have fewer than two dots and no
// letter.
func rawReleaseTags(t *testing.T, lines []string) []rawTag {
	t.Helper()
	var out []rawTag
	for _, line := range lines {
		head, rest, ok := strings.Cut(line, "-python")
		if !ok || strings.Contains(head, "-") {
			continue
		}
		if strings.Count(head, ".") < 2 && !hasLetter(head) {
			continue
		}
		if strings.Contains(head, "post") || strings.Contains(head, "a") || strings.Contains(head, "b") {
			t.Fatalf("line %q: the test's version ordering knows only X.Y.Z, rcN and .devN", line)
		}
		py, flavor, _ := strings.Cut(rest, "-")
		if flavor == "" {
			flavor = "standard"
		}
		out = append(out, rawTag{line: line, version: head, python: py, flavor: flavor})
	}
	return out
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return 'a' <= r && r <= 'z' }) >= 0
}

// rawKey orders the versions of the shipped catalogs (X.Y.Z, X.Y.ZrcN,
// X.Y.Z.devN) as PEP 440 does: dev < rc < final.
func rawKey(t *testing.T, v string) [5]int {
	t.Helper()
	kind, n := 2, 0
	if base, num, ok := strings.Cut(v, ".dev"); ok {
		v, kind, n = base, 0, atoiT(t, num)
	} else if base, num, ok := strings.Cut(v, "rc"); ok {
		v, kind, n = base, 1, atoiT(t, num)
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		t.Fatalf("version %q: want X.Y.Z", v)
	}
	return [5]int{atoiT(t, parts[0]), atoiT(t, parts[1]), atoiT(t, parts[2]), kind, n}
}

func atoiT(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

func pyMinor(t *testing.T, py string) int {
	t.Helper()
	major, minor, ok := strings.Cut(py, ".")
	if !ok || major != "3" {
		t.Fatalf("python %q", py)
	}
	return atoiT(t, minor)
}

var flavorRank = map[string]int{"standard": 0, "conda": 1, "kubernetes": 2}

func releaseFilter(t *testing.T, versions, python, flavor string, pre bool) ReleaseFilter {
	t.Helper()
	f, err := ParseReleaseFilter(versions, python, flavor, pre)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReleasesShippedCatalogs checks Releases on the shipped catalogs
// against an independent count of their lines: for each version, the
// images (tag names) it lists are exactly the catalog lines of that version
// that pass the filter, written here as plain predicates.
func TestReleasesShippedCatalogs(t *testing.T) {
	stable := func(r rawTag) bool { return !hasLetter(r.version) }
	minorOf := func(t *testing.T, r rawTag) (int, int) {
		k := rawKey(t, r.version)
		return k[0], k[1]
	}
	tests := []struct {
		name                     string
		lines                    []string
		catalog                  *Catalog
		versions, python, flavor string
		pre                      bool
		keep                     func(t *testing.T, r rawTag) bool
		wantVersions             int // a sanity bound on the independent count: at least this many
	}{
		{"every stable release", tagcatalog.Prefect(), prefectCatalog(), "", "", "", false,
			func(_ *testing.T, r rawTag) bool { return stable(r) }, 280},
		{"every release with prereleases", tagcatalog.Prefect(), prefectCatalog(), "", "", "", true,
			func(*testing.T, rawTag) bool { return true }, 750},
		{"~> 3.4 on 3.12 conda", tagcatalog.Prefect(), prefectCatalog(), "~> 3.4", "3.12", "conda", false,
			func(t *testing.T, r rawTag) bool {
				major, minor := minorOf(t, r)
				return stable(r) && major == 3 && minor >= 4 && r.python == "3.12" && r.flavor == "conda"
			}, 30},
		{"==3.1.* on >= 3.11", tagcatalog.Prefect(), prefectCatalog(), "==3.1.*", ">= 3.11", "", false,
			func(t *testing.T, r rawTag) bool {
				return stable(r) && strings.HasPrefix(r.version, "3.1.") && pyMinor(t, r.python) >= 11
			}, 15},
		{"3.1.9 has no Python 3.13 cell", tagcatalog.Prefect(), prefectCatalog(), "3.1.9", "", "", false,
			func(_ *testing.T, r rawTag) bool { return r.version == "3.1.9" }, 1},
		{"~> 3.8.0 with prereleases, kubernetes", tagcatalog.Prefect(), prefectCatalog(), "~> 3.8.0", "", "kubernetes", true,
			func(t *testing.T, r rawTag) bool {
				major, minor := minorOf(t, r)
				// >= 3.8.0: no 3.8.0.devN or 3.8.0rcN sorts at or above it.
				return major == 3 && minor == 8 && !strings.HasPrefix(r.version, "3.8.0.") &&
					!strings.HasPrefix(r.version, "3.8.0rc") && r.flavor == "kubernetes"
			}, 20},
		{"an exact prerelease without allow_prereleases", tagcatalog.Prefect(), prefectCatalog(), "3.0.0rc14", "", "", false,
			func(_ *testing.T, r rawTag) bool { return r.version == "3.0.0rc14" }, 1},
		{">= 3.0.0rc1 admits no prerelease without allow_prereleases", tagcatalog.Prefect(), prefectCatalog(), ">= 3.0.0rc1", "", "", false,
			func(t *testing.T, r rawTag) bool { major, _ := minorOf(t, r); return stable(r) && major >= 3 }, 100},
		{"~> 2.20 on Python 3.8, standard", tagcatalog.Prefect(), prefectCatalog(), "~> 2.20", "3.8", "standard", false,
			func(t *testing.T, r rawTag) bool {
				major, minor := minorOf(t, r)
				return stable(r) && major == 2 && minor >= 20 && r.python == "3.8" && r.flavor == "standard"
			}, 20},
		{"nothing meets ~> 9.0", tagcatalog.Prefect(), prefectCatalog(), "~> 9.0", "", "", true,
			func(t *testing.T, r rawTag) bool { major, _ := minorOf(t, r); return major == 9 }, 0},
		{"no conda on Python 3.7 after 2.10", tagcatalog.Prefect(), prefectCatalog(), ">= 2.11", "3.7", "conda", false,
			func(t *testing.T, r rawTag) bool {
				k := rawKey(t, r.version)
				return stable(r) && (k[0] > 2 || k[0] == 2 && k[1] >= 11) && r.python == "3.7" && r.flavor == "conda"
			}, 0},
		{"prefect-client with prereleases on 3.14", tagcatalog.PrefectClient(), clientCatalog(), "", "3.14", "", true,
			func(_ *testing.T, r rawTag) bool { return r.python == "3.14" }, 20},
		{"prefect-client has no conda", tagcatalog.PrefectClient(), clientCatalog(), "", "", "conda", true,
			func(_ *testing.T, r rawTag) bool { return r.flavor == "conda" }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string][]string{} // version -> catalog lines kept
			for _, r := range rawReleaseTags(t, tt.lines) {
				if tt.keep(t, r) {
					want[r.version] = append(want[r.version], r.line)
				}
			}
			if len(want) < tt.wantVersions {
				t.Fatalf("the independent count kept %d versions, want at least %d: the test's predicate is wrong", len(want), tt.wantVersions)
			}
			got := tt.catalog.Releases(releaseFilter(t, tt.versions, tt.python, tt.flavor, tt.pre))
			if len(got) != len(want) {
				t.Errorf("Releases returned %d versions, the catalog has %d", len(got), len(want))
			}
			images := 0
			for i, rel := range got {
				v := rel.Version.String()
				var names []string
				for _, img := range rel.Images {
					names = append(names, img.Name)
				}
				images += len(names)
				wantNames := slices.Clone(want[v])
				slices.Sort(wantNames)
				gotSorted := slices.Sorted(slices.Values(names))
				if !slices.Equal(gotSorted, wantNames) {
					t.Errorf("%s: images %v, the catalog has %v", v, names, wantNames)
				}
				if rel.Version.IsPrerelease() != hasLetter(v) {
					t.Errorf("%s: IsPrerelease() = %v", v, rel.Version.IsPrerelease())
				}
				// Newest first, in PEP 440 order.
				if i > 0 {
					prev, cur := rawKey(t, got[i-1].Version.String()), rawKey(t, v)
					if slices.Compare(prev[:], cur[:]) <= 0 {
						t.Errorf("%s follows %s: want newest first", v, got[i-1].Version)
					}
				}
				// Images by Python as numbers, then flavor.
				for j := 1; j < len(rel.Images); j++ {
					a, b := rel.Images[j-1], rel.Images[j]
					ka := [2]int{pyMinor(t, a.Python.String()), flavorRank[string(a.Flavor)]}
					kb := [2]int{pyMinor(t, b.Python.String()), flavorRank[string(b.Flavor)]}
					if slices.Compare(ka[:], kb[:]) >= 0 {
						t.Errorf("%s: image %s before %s, want Python ascending, then standard, conda, kubernetes", v, a.Name, b.Name)
					}
				}
			}
			wantImages := 0
			for _, lines := range want {
				wantImages += len(lines)
			}
			if images != wantImages {
				t.Errorf("Releases returned %d images, the catalog has %d", images, wantImages)
			}
		})
	}
}

func TestReleases(t *testing.T) {
	catalog := NewCatalog([]string{
		// Prereleases of 4.0.0, in an order unlike PEP 440's and lexical.
		"4.0.0rc10-python3.12", "4.0.0rc9-python3.12", "4.0.0-python3.12", "4.0.0rc11-python3.12",
		"4.0.0.dev3-python3.12", "4.0.0b2-python3.12", "4.0.0a1-python3.12", "4.0.0rc10-python3.9",
		// Stable releases with missing cells.
		"3.2.0-python3.9-conda", "3.2.0-python3.12-kubernetes", "3.2.0-python3.10", "3.2.0-python3.12",
		"3.2.0-python3.9", "3.2.0-python3.12-conda", "3.2.0-python3.13",
		"3.1.5-python3.12-conda",
		"3.10.0-python3.11", // 3.10 sorts after 3.2 and 3.9 as numbers
		"3.9.1-python3.11",
		// Never listed: moving, sha and junk tags, duplicates once.
		"3.2-python3.12", "3-python3.12", "3-latest", "4-latest-conda", "sha-1da1544-python3.12",
		"v3.2.0-python3.12", "3.2.0-python3.12-slim", "latest", "main", "3.2.0",
		"3.2.0-python3.12",
	})
	type rel = string // "version: tag tag ..."
	render := func(rs []Release) []rel {
		out := []rel{}
		for _, r := range rs {
			var names []string
			for _, img := range r.Images {
				names = append(names, img.Name)
			}
			out = append(out, r.Version.String()+": "+strings.Join(names, " "))
		}
		return out
	}
	tests := []struct {
		name                     string
		versions, python, flavor string
		pre                      bool
		want                     []rel
	}{
		{"every stable release, newest first, images by Python then flavor", "", "", "", false, []rel{
			"4.0.0: 4.0.0-python3.12",
			"3.10.0: 3.10.0-python3.11",
			"3.9.1: 3.9.1-python3.11",
			"3.2.0: 3.2.0-python3.9 3.2.0-python3.9-conda 3.2.0-python3.10 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes 3.2.0-python3.13",
			"3.1.5: 3.1.5-python3.12-conda",
		}},
		{"prereleases in PEP 440 order: dev < a < b < rc9 < rc10 < rc11 < final", ">= 4.0.0.dev1", "", "", true, []rel{
			"4.0.0: 4.0.0-python3.12",
			"4.0.0rc11: 4.0.0rc11-python3.12",
			"4.0.0rc10: 4.0.0rc10-python3.9 4.0.0rc10-python3.12",
			"4.0.0rc9: 4.0.0rc9-python3.12",
			"4.0.0b2: 4.0.0b2-python3.12",
			"4.0.0a1: 4.0.0a1-python3.12",
			"4.0.0.dev3: 4.0.0.dev3-python3.12",
		}},
		{"prereleases need allow_prereleases", ">= 4.0.0.dev1", "", "", false, []rel{"4.0.0: 4.0.0-python3.12"}},
		{"an exact prerelease counts without allow_prereleases", "4.0.0rc10", "", "", false, []rel{
			"4.0.0rc10: 4.0.0rc10-python3.9 4.0.0rc10-python3.12",
		}},
		{"PEP 440 exact prerelease", "==4.0.0rc10", "3.9", "", false, []rel{"4.0.0rc10: 4.0.0rc10-python3.9"}},
		{"a range of release candidates", ">= 4.0.0rc1, < 4.0.0rc11", "", "", true, []rel{
			"4.0.0rc10: 4.0.0rc10-python3.9 4.0.0rc10-python3.12",
			"4.0.0rc9: 4.0.0rc9-python3.12",
		}},
		{"one flavor", "", "", "conda", false, []rel{
			"3.2.0: 3.2.0-python3.9-conda 3.2.0-python3.12-conda",
			"3.1.5: 3.1.5-python3.12-conda",
		}},
		{"standard is a flavor like the others", "~> 3.1", "", "standard", false, []rel{
			"3.10.0: 3.10.0-python3.11",
			"3.9.1: 3.9.1-python3.11",
			"3.2.0: 3.2.0-python3.9 3.2.0-python3.10 3.2.0-python3.12 3.2.0-python3.13",
		}},
		{"exact Python", "", "3.12", "", false, []rel{
			"4.0.0: 4.0.0-python3.12",
			"3.2.0: 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes",
			"3.1.5: 3.1.5-python3.12-conda",
		}},
		{"Python constraint, a version left with no image is left out", "~> 3.0", ">= 3.12", "", false, []rel{
			"3.2.0: 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes 3.2.0-python3.13",
			"3.1.5: 3.1.5-python3.12-conda",
		}},
		{"Terraform pessimistic patch", "~> 3.2.0", "", "", false, []rel{
			"3.2.0: 3.2.0-python3.9 3.2.0-python3.9-conda 3.2.0-python3.10 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes 3.2.0-python3.13",
		}},
		{"not equal", "!= 3.2.0, < 4", "", "", false, []rel{
			"3.10.0: 3.10.0-python3.11",
			"3.9.1: 3.9.1-python3.11",
			"3.1.5: 3.1.5-python3.12-conda",
		}},
		{"nothing matches: empty, no error", "~> 3.2.0", "3.11", "", false, []rel{}},
		{"a cell that is missing stays missing", "3.2.0", "3.11", "", false, []rel{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(catalog.Releases(releaseFilter(t, tt.versions, tt.python, tt.flavor, tt.pre)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Releases:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
	if got := NewCatalog(nil).Releases(ReleaseFilter{}); len(got) != 0 {
		t.Errorf("an empty catalog has releases %v", got)
	}
	if got := catalog.Releases(ReleaseFilter{Flavor: "slim"}); len(got) != 0 {
		t.Errorf("an unknown flavor matched %v", got)
	}
	// One version written two ways (2.0b8 and 2.0.0b8 compare equal) is one
	// release, its images from both spellings, however the sort interleaves
	// them by Python.
	twice := NewCatalog([]string{"2.0b8-python3.10", "2.0.0b8-python3.9", "2.0b8-python3.9"})
	got := render(twice.Releases(releaseFilter(t, "", "", "", true)))
	if want := []rel{"2.0b8: 2.0.0b8-python3.9 2.0b8-python3.9 2.0b8-python3.10"}; !slices.Equal(got, want) {
		t.Errorf("one version written two ways:\n got  %q\n want %q", got, want)
	}
}

// Releases agrees with Select: the newest release's images include the tag
// Select picks for the same selector, and no release beats it.
func TestReleasesAgreeWithSelect(t *testing.T) {
	c := prefectCatalog()
	for _, vs := range []string{"", "~> 3.1", "~> 2.20", "3.0.0rc14", ">= 3.0.0rc1, < 3.0.0rc99", "!= 3.8.3"} {
		for _, ps := range []string{"", "3.9", ">= 3.13"} {
			for _, f := range []string{"standard", "conda", "kubernetes"} {
				for _, pre := range []bool{false, true} {
					name := fmt.Sprintf("%q/%q/%s/%v", vs, ps, f, pre)
					tag, err := c.Select(selector(t, vs, ps, f, pre))
					rels := c.Releases(releaseFilter(t, vs, ps, f, pre))
					if err != nil {
						if len(rels) != 0 {
							t.Errorf("%s: Select found nothing, Releases found %s", name, rels[0].Version)
						}
						continue
					}
					if len(rels) == 0 {
						t.Errorf("%s: Select = %s, Releases found nothing", name, tag.Name)
						continue
					}
					images := rels[0].Images
					if rels[0].Version.Compare(tag.Version) != 0 || images[len(images)-1].Name != tag.Name {
						t.Errorf("%s: Select = %s, newest release %s ends with %s", name, tag.Name, rels[0].Version, images[len(images)-1].Name)
					}
				}
			}
		}
	}
}

func TestParseReleaseFilter(t *testing.T) {
	f, err := ParseReleaseFilter("", "", "", false)
	if err != nil || f.Flavor != "" || !f.Versions.IsAny() || !f.Python.IsAny() || f.AllowPrereleases {
		t.Errorf("defaults: %+v, %v; want every version, Python and flavor", f, err)
	}
	f, err = ParseReleaseFilter("~> 3.4", ">= 3.11", "standard", true)
	if err != nil || f.Flavor != FlavorStandard || f.Versions.String() != "~> 3.4" || f.Python.String() != ">= 3.11" || !f.AllowPrereleases {
		t.Errorf("ParseReleaseFilter = %+v, %v", f, err)
	}
	for _, bad := range [][3]string{{"~> banana", "", ""}, {"", "3.12.1", ""}, {"", "", "slim"}} {
		if _, err := ParseReleaseFilter(bad[0], bad[1], bad[2], false); err == nil {
			t.Errorf("ParseReleaseFilter(%q) accepted", bad)
		}
	}
	// The spans are the selector's for the same constraint.
	for _, vs := range []string{"", "~> 3.8.0", "~> 2.20", "==3.*"} {
		f := releaseFilter(t, vs, "3.12", "", true)
		if got, want := f.ReleaseSpans(), selector(t, vs, "", "", false).ReleaseSpans(); !slices.Equal(got, want) {
			t.Errorf("%q: ReleaseSpans() = %v, want %v", vs, got, want)
		}
	}
}
