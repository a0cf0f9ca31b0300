package prefecttag

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

func TestReleasePrefix(t *testing.T) {
	for _, tc := range []struct{ constraint, want string }{
		{"", ""},
		{"~> 3.8.0", "3.8"},
		{"~=3.8.0", "3.8"},
		{"~> 3.8.4", "3.8"},
		{"==3.8.*", "3.8"},
		{"3.7.8", "3.7"},
		{"= 3.7.8", "3.7"},
		{"==3.7.8", "3.7"},
		{"= 3.8", "3.8"},
		{"= 3", "3.0"}, // equal to 3.0.0
		{"3.0.0rc14", "3.0"},
		{"==2.0b8", "2.0"},
		{"~> 2.20", "2."},
		{"~=2.20", "2."},
		{"==2.*", "2."},
		{"~> 3.1", "3."},
		{">= 3.8, < 3.9", "3.8"},
		{">3.8.1,<3.9", "3.8"},
		{">= 3.8.2, < 3.9.0", "3.8"},
		{">= 3.1, < 4", "3."},
		{">= 3.1, < 4.0.0", "3."},
		{"< 4, >= 3.1, != 3.2.0", "3."},
		{">= 2.20, < 3", "2."},
		// Not fixed: several majors or minors, or bounds that do not
		// close the range.
		{"~> 3", ""},
		{">= 3.1", ""},
		{"< 3.9", ""},
		{"!= 3.2.0", ""},
		{"!=3.1.*", ""},
		{">= 3.8, < 3.10", "3."},
		{">= 3.8.1, <= 3.8.5", "3.8"},
		{"> 3.8.1, < 3.8.5", "3.8"},
		{">= 3.8, <= 3.9", "3."},
		{">= 3.8, < 3.9.1", "3."},
		{">= 3.8, < 3.9rc1", "3."},
		{">= 2.20, < 3.1", ""},
		{">= 2.20, < 4", ""},
	} {
		c, err := ParseConstraint(tc.constraint)
		if err != nil {
			t.Fatalf("%q: %v", tc.constraint, err)
		}
		if got := (Selector{Versions: c}).ReleasePrefix(); got != tc.want {
			t.Errorf("ReleasePrefix(%q) = %q, want %q", tc.constraint, got, tc.want)
		}
	}
}

// synthetic are release tags Prefect never published, with minors and
// majors of every length, for the spans' digit cases.
var synthetic = []string{
	"2.5.1-python3.11", "2.9.0-python3.11", "2.10.0-python3.11", "2.19.9-python3.11", "2.20.0rc1-python3.11",
	"2.21a1-python3.11", "2.100.0-python3.11", "2.105.3-python3.11", "2.150.0-python3.11-conda",
	"2.199.0-python3.11", "2.200.0-python3.11", "2.1000.0-python3.11", "2.30.0-python3.11",
	"3.10.0-python3.12", "3.19.2.dev1-python3.12", "3.80.0-python3.12", "3.100.1-python3.12",
	"3.8rc1-python3.12", "3.8.0.post1-python3.12", "1.4.1-python3.7", "10.0.0-python3.13", "12.1.0-python3.13",
	"0.15.13-python3.7",
}

// Every release tag of the catalogs, and of synthetic ones, that a
// constraint allows lies in one of the constraint's spans and starts with
// its prefix, with and without prereleases, for constraints written around
// every version there.
func TestReleaseSpansHoldOverCatalogs(t *testing.T) {
	var tags []Tag
	versions := map[string]Version{}
	for _, name := range append(append(tagcatalog.Prefect(), tagcatalog.PrefectClient()...), synthetic...) {
		tag, err := ParseTag(name)
		if err != nil || tag.Kind != KindRelease {
			continue
		}
		tags = append(tags, tag)
		versions[tag.Version.String()] = tag.Version
	}
	constraints := map[string]bool{}
	for _, v := range versions {
		x, y, z := v.seg(0), v.seg(1), v.seg(2)
		for _, c := range []string{
			"~> " + v.String(), "= " + v.String(), "==" + v.String(), ">= " + v.String(), "> " + v.String(),
			fmt.Sprintf("~> %d.%d", x, y), fmt.Sprintf("~> %d.%d.%d", x, y, z), fmt.Sprintf("~=%d.%d", x, y),
			fmt.Sprintf("==%d.%d.*", x, y), fmt.Sprintf("==%d.*", x),
			fmt.Sprintf(">= %d.%d, < %d.%d", x, y, x, y+1), fmt.Sprintf("> %s, < %d.%d", v, x, y+1),
			fmt.Sprintf(">= %d.%d, < %d", x, y, x+1), fmt.Sprintf(">= %s, < %d.0.0", v, x+1),
			fmt.Sprintf(">= %d.%d.%d, < %d.%d.0", x, y, z, x, y+1),
			fmt.Sprintf(">= %d.%d, <= %d.%d.%d", x, y, x, y, z+1), fmt.Sprintf(">= %d.%d, < %d.%d", x, y, x, y+2),
			fmt.Sprintf(">= %d.%d, < %d.%drc1", x, y, x, y+1), fmt.Sprintf(">= %d.%d, <= %d.%d", x, y, x, y+1),
			fmt.Sprintf("> %d.%d, < %d", x, y, x+1), fmt.Sprintf(">= %d.%d, != %d.%d.0, < %d", x, y+1, x, y+2, x+1),
		} {
			constraints[c] = true
		}
	}
	checked := 0
	for text := range constraints {
		c, err := ParseConstraint(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		sel := Selector{Versions: c}
		spans, prefix := sel.ReleaseSpans(), sel.ReleasePrefix()
		if (spans == nil) != (prefix == "") {
			t.Fatalf("%q: spans %v but prefix %q", text, spans, prefix)
		}
		if spans == nil {
			continue
		}
		if len(spans) > MaxReleaseSpans {
			t.Fatalf("%q: %d spans, more than MaxReleaseSpans (%d)", text, len(spans), MaxReleaseSpans)
		}
		checked++
		for _, tag := range tags {
			if !c.Allows(tag.Version, true) {
				continue
			}
			if !strings.HasPrefix(tag.Name, prefix) {
				t.Errorf("%q allows %s, which does not start with its prefix %q", text, tag.Name, prefix)
			}
			in := false
			for _, s := range spans {
				if s.Contains(tag.Name) {
					if !strings.HasPrefix(tag.Name, s.Prefix) {
						t.Errorf("%q: %s is in span %+v but does not start with its prefix", text, tag.Name, s)
					}
					in = true
				}
			}
			if !in {
				t.Errorf("%q allows %s, which is in none of its spans %+v", text, tag.Name, spans)
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d constraints with spans checked", checked)
	}
}

func TestReleaseSpans(t *testing.T) {
	spans := func(c string) []TagSpan {
		t.Helper()
		vc, err := ParseConstraint(c)
		if err != nil {
			t.Fatal(err)
		}
		return Selector{Versions: vc}.ReleaseSpans()
	}
	if got := spans("~> 3.8.0"); len(got) != 1 || got[0] != (TagSpan{After: "3.7~", Before: "3.8~", Prefix: "3.8"}) {
		t.Errorf("~> 3.8.0: %+v", got)
	}
	if got := spans("==2.*"); len(got) != 1 || got[0] != (TagSpan{After: "2-~", Before: "2.~", Prefix: "2."}) {
		t.Errorf("==2.*: %+v", got)
	}
	got := spans("~> 2.20")
	if len(got) != 11 || got[0] != (TagSpan{After: "2.1~", Before: "2.9~", Prefix: "2."}) ||
		got[1] != (TagSpan{After: "2.10/", Before: "2.10:", Prefix: "2.10"}) || got[10].Prefix != "2.19" {
		t.Errorf("~> 2.20: %+v", got)
	}
	if got := spans(">= 2.5, < 3"); len(got) != 5 || got[0].After != "2.4~" || got[4] != (TagSpan{After: "2.4/", Before: "2.4:", Prefix: "2.4"}) {
		t.Errorf(">= 2.5, < 3: %+v", got)
	}
	for _, c := range []string{"~> 2.30", ">= 2.105, < 3", "~> 2.0", "~> 2.1"} {
		if got := spans(c); len(got) != 1 || got[0].Prefix != "2." {
			t.Errorf("%s: %+v, want all of 2.", c, got)
		}
	}
	// ">" bounds the minor from below as ">=" does.
	if got, want := spans("> 2.5, < 3"), spans(">= 2.5, < 3"); !slices.Equal(got, want) {
		t.Errorf("> 2.5, < 3: %+v, want as >= 2.5, < 3: %+v", got, want)
	}
	// PEP 440's ~= bounds the minor from below as Terraform's ~> does.
	if got, want := spans("~=2.20"), spans("~> 2.20"); !slices.Equal(got, want) {
		t.Errorf("~=2.20: %+v, want as ~> 2.20: %+v", got, want)
	}
	// A lower bound of minor 1 leaves the minors from 1 on: 2.0.z is not
	// listed (the span is not all of "2.", though its Prefix is).
	if got := spans("~> 2.1"); len(got) != 1 || got[0] != (TagSpan{After: "2.0~", Before: "2.9~", Prefix: "2."}) {
		t.Errorf("~> 2.1: %+v", got)
	}
	if got := spans("~> 2.10"); len(got) != 1 || got[0] != (TagSpan{After: "2.0~", Before: "2.9~", Prefix: "2."}) {
		t.Errorf("~> 2.10: %+v", got)
	}
	for _, c := range []string{"", "~> 3", ">= 3.1", "!= 3.2.0"} {
		if got := spans(c); got != nil {
			t.Errorf("%q: %+v, want nil", c, got)
		}
	}
}

// Selecting from the tags in the selector's spans picks what selecting from
// the whole catalog picks.
func TestReleasePrefixSelectsTheSame(t *testing.T) {
	all := tagcatalog.Prefect()
	full := prefectCatalog()
	for _, s := range fleetSelectors(t) {
		prefix := s.sel.ReleasePrefix()
		var some []string
		for _, name := range all {
			for _, sp := range s.sel.ReleaseSpans() {
				if sp.Contains(name) {
					some = append(some, name)
				}
			}
		}
		want, err := full.Select(s.sel)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, err := NewCatalog(some).Select(s.sel)
		if err != nil || got.Name != want.Name {
			t.Errorf("%s: prefix %q selects %s, %v; the whole catalog %s", s.name, prefix, got.Name, err, want.Name)
		}
	}
}

// Test helpers: the prefix every pick shares, and span membership.

// ReleasePrefix returns a prefix that the name of every release tag the
// selector can pick starts with: "3.8" when every version the constraint
// allows is 3.8.z (a two-part prerelease such as 3.8rc1 included), "3."
// when every one is 3.y.z, and "" when the constraint allows more than one
// major version. The examples of ReleaseSpans apply.
func (s Selector) ReleasePrefix() string {
	if fixed, ok := s.Versions.fixedRelease(2); ok {
		return strconv.Itoa(fixed[0]) + "." + strconv.Itoa(fixed[1])
	}
	if fixed, ok := s.Versions.fixedRelease(1); ok {
		return strconv.Itoa(fixed[0]) + "."
	}
	return ""
}

// Contains reports whether name lies in the span.
func (s TagSpan) Contains(name string) bool {
	return (s.After == "" || name > s.After) && (s.Before == "" || name < s.Before)
}
