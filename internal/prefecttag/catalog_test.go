package prefecttag

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

var (
	prefectOnce, clientOnce sync.Once
	prefectCat, clientCat   *Catalog
)

func prefectCatalog() *Catalog {
	prefectOnce.Do(func() { prefectCat = NewCatalog(tagcatalog.Prefect()) })
	return prefectCat
}

func clientCatalog() *Catalog {
	clientOnce.Do(func() { clientCat = NewCatalog(tagcatalog.PrefectClient()) })
	return clientCat
}

func TestCatalogLen(t *testing.T) {
	// Release-tag counts from TestParseTagCatalogs.
	if got := prefectCatalog().Len(); got != 10442 {
		t.Errorf("prefecthq/prefect catalog Len() = %d, want 10442", got)
	}
	if got := clientCatalog().Len(); got != 2085 {
		t.Errorf("prefecthq/prefect-client catalog Len() = %d, want 2085", got)
	}
	c := NewCatalog([]string{
		"3.1.15-python3.12", "3.1.15-python3.12", // duplicate, counted once
		"3.1-python3.12", "3-python3.12", "3-latest", "sha-1da1544-python3.12", // never picked
		"v3.1.15-python3.12", "latest", "main", "", "3.1.15-python3.12-slim", // do not parse
		"3.1.14-python3.12-conda",
	})
	if got := c.Len(); got != 2 {
		t.Errorf("Len() = %d, want 2", got)
	}
	if got := NewCatalog(nil).Len(); got != 0 {
		t.Errorf("empty catalog Len() = %d", got)
	}
}

// The expected tags were looked up in /work/shared/data/prefecthq-prefect.tags
// with grep and sort -V; the newest stable release there is 3.8.3.
func TestSelectPrefect(t *testing.T) {
	tests := []struct {
		name                     string
		versions, python, flavor string
		pre                      bool
		want                     string
	}{
		{"default: newest stable, highest Python", "", "", "", false, "3.8.3-python3.14"},
		{"~> 3.4 on 3.12 conda", "~> 3.4", "3.12", "conda", false, "3.8.3-python3.12-conda"},
		{"exact 3.7.8 on 3.12", "3.7.8", "3.12", "", false, "3.7.8-python3.12"},
		{"PEP 440 exact 3.7.8", "==3.7.8", "==3.12", "standard", false, "3.7.8-python3.12"},
		{"3.11 conda", "", "3.11", "conda", false, "3.8.3-python3.11-conda"},
		{"~> 2.20 on 3.11", "~> 2.20", "3.11", "", false, "2.20.25-python3.11"},
		{"~> 2.20 default Python", "~> 2.20", "", "", false, "2.20.25-python3.12"},
		{"allow prereleases picks a nightly", "", "", "", true, "3.8.4.dev6-python3.14"},
		{"allow prereleases in a range", "~> 3.8.0", "3.13", "kubernetes", true, "3.8.4.dev6-python3.13-kubernetes"},
		{"exact prerelease without allow", "3.0.0rc14", "", "", false, "3.0.0rc14-python3.12"},
		{"PEP 440 exact prerelease", "==3.0.0rc14", "3.9", "conda", false, "3.0.0rc14-python3.9-conda"},
		{"rc numbers compare as numbers", ">= 3.0.0rc1, < 3.0.0rc99", "", "", true, "3.0.0rc20-python3.12"},
		{"rc below rc10", "<3.0.0rc10", "", "", true, "3.0.0rc9-python3.12"},
		{"< 3 admits no 3.0.0 prerelease", "< 3", "", "", true, "2.20.25-python3.12"},
		{"Python numeric: 3.12 beats 3.9", "3.1.15", "", "", false, "3.1.15-python3.12"},
		{"3.14 from 3.4.25 on", "3.4.25", "", "", false, "3.4.25-python3.14"},
		{"3.13 before 3.4.25", "3.4.24", "", "", false, "3.4.24-python3.13"},
		{"3.13 from 3.3.1 on", "3.3.1", "", "", false, "3.3.1-python3.13"},
		{"3.12 at 3.3.0", "3.3.0", "", "", false, "3.3.0-python3.12"},
		{"newest stable on 3.9", "", "3.9", "", false, "3.4.25-python3.9"},
		{"newest on 3.9 with prereleases", "", "3.9", "", true, "3.4.26.dev2-python3.9"},
		{"default Python depends on flavor", "~> 2.6.0", "", "conda", false, "2.6.9-python3.10-conda"},
		{"same release, standard", "~> 2.6.0", "", "", false, "2.6.9-python3.11"},
		{"Python range", "", ">= 3.13", "kubernetes", false, "3.8.3-python3.14-kubernetes"},
		{"Python range below", "", ">=3.10,<3.13", "", false, "3.8.3-python3.12"},
		{"Python ~>", "~> 3.1.0", "~> 3.10", "", false, "3.1.15-python3.12"},
		{"wildcard", "==3.1.*", "", "", false, "3.1.15-python3.12"},
		{"compatible release", "~=3.7, !=3.8.*", "", "", false, "3.7.8-python3.14"},
		{"not equal", "!= 3.8.3", "", "", false, "3.8.2-python3.14"},
		{"Terraform range", ">= 3.1, < 3.4", "", "", false, "3.3.7-python3.13"},
		{"PEP 440 range", ">=3.1,<3.4", "3.12", "conda", false, "3.3.7-python3.12-conda"},
		{"= 3.1 means 3.1.0", "= 3.1", "", "", false, "3.1.0-python3.12"},
		{"~> 3 means >= 3", "~> 3", "", "", false, "3.8.3-python3.14"},
		{"legacy 2.x Python 3.7", "", "3.7", "", false, "2.10.19-python3.7"},
	}
	c := prefectCatalog()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := selector(t, tt.versions, tt.python, tt.flavor, tt.pre)
			got, err := c.Select(s)
			if err != nil {
				t.Fatalf("Select(%s): %v", s, err)
			}
			if got.Name != tt.want {
				t.Fatalf("Select(%s) = %q, want %q", s, got.Name, tt.want)
			}
			if got.Kind != KindRelease || got.Name != ReleaseTagName(got.Version, got.Python, got.Flavor) {
				t.Errorf("Select returned an inconsistent tag %+v", got)
			}
			// A selector whose exact tag is known names the same tag.
			if name, ok := s.ExactTag(); ok && name != got.Name {
				t.Errorf("ExactTag() = %q, Select = %q", name, got.Name)
			}
		})
	}
}

// TestSelectIsHighest cross-checks Select against a plain scan of the tag
// list for many selectors: no allowed release tag may beat the one chosen.
func TestSelectIsHighest(t *testing.T) {
	c := prefectCatalog()
	var all []Tag
	for _, s := range tagcatalog.Prefect() {
		if tag, err := ParseTag(s); err == nil && tag.Kind == KindRelease {
			all = append(all, tag)
		}
	}
	for _, vs := range []string{"", "~> 3.1", "~> 3.1.0", "~> 2.20", ">= 3.0.0rc1, < 3.0.0", "==3.4.*", "!= 3.8.3", "< 3", "3.1.9", "~> 9.0"} {
		for _, ps := range []string{"", "3.9", "3.13", ">= 3.11", "3.7"} {
			for _, f := range []string{"standard", "conda", "kubernetes"} {
				for _, pre := range []bool{false, true} {
					s := selector(t, vs, ps, f, pre)
					var best *Tag
					for i := range all {
						tag := &all[i]
						if tag.Flavor != s.flavor() || !s.Python.Allows(tag.Python) || !s.Versions.Allows(tag.Version, pre) {
							continue
						}
						if best == nil || tag.Version.Compare(best.Version) > 0 ||
							tag.Version.Compare(best.Version) == 0 && tag.Python.Compare(best.Python) > 0 {
							best = tag
						}
					}
					got, err := c.Select(s)
					switch {
					case best == nil && err == nil:
						t.Errorf("Select(%s) = %q, want no match", s, got.Name)
					case best == nil:
						var nm *NoMatchError
						if !errors.As(err, &nm) {
							t.Errorf("Select(%s) error %T, want *NoMatchError", s, err)
						}
					case err != nil:
						t.Errorf("Select(%s): %v, want %q", s, err, best.Name)
					case got.Name != best.Name:
						t.Errorf("Select(%s) = %q, want %q", s, got.Name, best.Name)
					}
				}
			}
		}
	}
}

func TestSelectBadFlavor(t *testing.T) {
	_, err := prefectCatalog().Select(Selector{Flavor: "slim"})
	var nm *NoMatchError
	if err == nil || errors.As(err, &nm) || !strings.Contains(err.Error(), `invalid flavor "slim"`) {
		t.Errorf("Select with flavor slim: %v, want a flavor error", err)
	}
}

func TestSelectClient(t *testing.T) {
	got, err := clientCatalog().Select(Selector{})
	if err != nil || got.Name != "3.8.3-python3.14" {
		t.Errorf("prefect-client default = %q, %v; want 3.8.3-python3.14", got.Name, err)
	}
}

func BenchmarkNewCatalog(b *testing.B) {
	tags := tagcatalog.Prefect()
	b.ReportAllocs()
	for b.Loop() {
		if c := NewCatalog(tags); c.Len() != 10442 {
			b.Fatal(c.Len())
		}
	}
}

func BenchmarkSelect(b *testing.B) {
	c := prefectCatalog()
	for _, bc := range []struct {
		name                     string
		versions, python, flavor string
		pre                      bool
	}{
		{"default", "", "", "", false},
		{"tilde_py_conda", "~> 3.4", "3.12", "conda", false},
		{"old_release", "~> 2.20", "3.11", "", false},
		{"exact_prerelease", "==3.0.0rc14", "3.9", "kubernetes", false},
		{"no_match", "~> 3.1.0", "3.13", "", false},
	} {
		s := selector(b, bc.versions, bc.python, bc.flavor, bc.pre)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.Select(s)
			}
		})
	}
}
