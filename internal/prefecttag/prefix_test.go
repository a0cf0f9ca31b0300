package prefecttag

import (
	"fmt"
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

// Every release tag of the catalogs that a constraint allows starts with
// the constraint's prefix, with and without prereleases, for constraints
// written around every version the catalogs hold.
func TestReleasePrefixHoldsOverCatalogs(t *testing.T) {
	var tags []Tag
	versions := map[string]Version{}
	for _, name := range append(tagcatalog.Prefect(), tagcatalog.PrefectClient()...) {
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
			"~> " + v.String(), "= " + v.String(), "==" + v.String(),
			fmt.Sprintf("~> %d.%d", x, y), fmt.Sprintf("~> %d.%d.%d", x, y, z), fmt.Sprintf("~=%d.%d", x, y),
			fmt.Sprintf("==%d.%d.*", x, y), fmt.Sprintf("==%d.*", x),
			fmt.Sprintf(">= %d.%d, < %d.%d", x, y, x, y+1), fmt.Sprintf("> %s, < %d.%d", v, x, y+1),
			fmt.Sprintf(">= %d.%d, < %d", x, y, x+1), fmt.Sprintf(">= %s, < %d.0.0", v, x+1),
			fmt.Sprintf(">= %d.%d.%d, < %d.%d.0", x, y, z, x, y+1),
			fmt.Sprintf(">= %d.%d, <= %d.%d.%d", x, y, x, y, z+1), fmt.Sprintf(">= %d.%d, < %d.%d", x, y, x, y+2),
			fmt.Sprintf(">= %d.%d, < %d.%drc1", x, y, x, y+1), fmt.Sprintf(">= %d.%d, <= %d.%d", x, y, x, y+1),
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
		prefix := (Selector{Versions: c}).ReleasePrefix()
		if prefix == "" {
			continue
		}
		checked++
		for _, tag := range tags {
			if c.Allows(tag.Version, true) && !strings.HasPrefix(tag.Name, prefix) {
				t.Errorf("%q allows %s, which does not start with its prefix %q", text, tag.Name, prefix)
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d constraints with a prefix checked", checked)
	}
}

// Selecting from the tags with the selector's prefix picks what selecting
// from the whole catalog picks.
func TestReleasePrefixSelectsTheSame(t *testing.T) {
	all := tagcatalog.Prefect()
	full := prefectCatalog()
	for _, s := range fleetSelectors(t) {
		prefix := s.sel.ReleasePrefix()
		var some []string
		for _, name := range all {
			if strings.HasPrefix(name, prefix) {
				some = append(some, name)
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
