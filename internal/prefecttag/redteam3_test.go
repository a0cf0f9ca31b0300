package prefecttag

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// TestRedteam3SpansKeepCatalogPick checks ReleaseSpans against the real
// catalog: for random selectors (constraints built from published versions,
// whole or cut to X.Y or X, with Python, flavor and prereleases), selecting
// from the tags inside the spans picks what selecting from every tag picks,
// and Releases lists the same versions.
func TestRedteam3SpansKeepCatalogPick(t *testing.T) {
	names := slices.Clone(tagcatalog.Prefect())
	slices.Sort(names)
	full := NewCatalog(names)
	var vs []string
	for i := range full.versions {
		vs = append(vs, full.versions[i].v.String())
	}
	vs = append(vs, "2", "3", "4", "2.20", "3.10", "3.0.0rc5", "1.0", "3.4.26")
	rng := rand.New(rand.NewPCG(21, 3))
	ops := []string{"", "= ", "!= ", "> ", ">= ", "< ", "<= ", "~> ", "==", "~=", "!="}
	version := func() string {
		v, _ := parseVersion(vs[rng.IntN(len(vs))])
		switch rng.IntN(4) {
		case 0:
			return fmt.Sprintf("%d.%d", v.seg(0), v.seg(1))
		case 1:
			return fmt.Sprint(v.seg(0))
		}
		return v.String()
	}
	pys := []string{"", "", "3.12", ">= 3.11", "< 3.10", "3.9", "~=3.10", "!=3.14"}
	fls := []string{"", "conda", "kubernetes"}
	checked := 0
	for range 600 {
		text := ops[rng.IntN(len(ops))] + version()
		if rng.IntN(2) == 0 {
			text += ", " + ops[rng.IntN(len(ops))] + version()
		}
		s, err := ParseSelector(text, pys[rng.IntN(len(pys))], fls[rng.IntN(len(fls))], rng.IntN(2) == 0)
		if err != nil {
			continue
		}
		spans := s.ReleaseSpans()
		if spans == nil {
			continue
		}
		var in []string
		for _, sp := range spans {
			lo := sort.SearchStrings(names, sp.After)
			for _, n := range names[lo:] {
				if sp.Before != "" && n >= sp.Before {
					break
				}
				if sp.Contains(n) {
					in = append(in, n)
				}
			}
		}
		checked++
		part := NewCatalog(in)
		want, werr := full.Select(s)
		got, gerr := part.Select(s)
		if want.Name != got.Name || (werr == nil) != (gerr == nil) {
			t.Errorf("%v: every tag picks %q (%v), the spans' tags %q (%v); spans %v", s, want.Name, werr, got.Name, gerr, spans)
		}
		f := ReleaseFilter(s)
		if a, b := full.Releases(f), part.Releases(f); !slices.EqualFunc(a, b, func(x, y Release) bool {
			return x.Version == y.Version && len(x.Images) == len(y.Images)
		}) {
			t.Errorf("%v: Releases over every tag has %d versions, over the spans' tags %d", s, len(a), len(b))
		}
	}
	if checked < 200 {
		t.Fatalf("only %d selectors had spans", checked)
	}
}

// TestRedteam3SpansMultiDigitMajors: the random span test draws majors 1 to
// 4; a major of two or three digits must be covered as well.
func TestRedteam3SpansMultiDigitMajors(t *testing.T) {
	for _, tt := range []struct{ constraint, tag string }{
		{"~> 10.2.0", "10.2.7-python3.12"},
		{"~> 10.9", "10.10.0-python3.12"},
		{"~> 10.9", "10.100.0rc1-python3.12"},
		{">= 10.20, < 11", "10.150.0-python3.12"},
		{"==100.*", "100.0b1-python3.12"},
		{">= 19.5, < 20", "19.12.0.dev3-python3.12"},
		{"~=0.15.2", "0.15.13-python3.9"},
	} {
		c, err := ParseConstraint(tt.constraint)
		if err != nil {
			t.Fatal(err)
		}
		tg, err := ParseTag(tt.tag)
		if err != nil {
			t.Fatal(err)
		}
		spans := Selector{Versions: c}.ReleaseSpans()
		if spans == nil {
			t.Errorf("%q: no spans; want some for one major", tt.constraint)
			continue
		}
		if !c.Allows(tg.Version, true) {
			t.Fatalf("%q does not allow %s", tt.constraint, tg.Version)
		}
		if !slices.ContainsFunc(spans, func(s TagSpan) bool { return s.Contains(tt.tag) }) {
			t.Errorf("%q allows %s, but %s is in none of %v", tt.constraint, tg.Version, tt.tag, spans)
		}
	}
}
