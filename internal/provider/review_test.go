package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// The advice for an image that lacks a required platform either says to
// choose another version or proposes a prefect_version that leaves the
// release out; a proposed constraint must still admit some release that
// prefect_version admitted, else it only trades the platform error for a
// "no tag matches" one. A constraint holding an equality names one version
// ("3.1" is 3.1.0 in both syntaxes), whether or not it is the kind of exact
// constraint that needs no listing.
func TestReviewExcludeAdviceLeavesSomething(t *testing.T) {
	var versions []prefecttag.Version
	seen := map[string]bool{}
	for _, name := range tagcatalog.Prefect() {
		if tg, err := prefecttag.ParseTag(name); err == nil && tg.Kind == prefecttag.KindRelease && !seen[tg.Version.String()] {
			seen[tg.Version.String()] = true
			versions = append(versions, tg.Version)
		}
	}
	proposed := regexp.MustCompile(`prefect_version = "((?:[^"\\]|\\.)*)"`)
	for _, tt := range []struct{ constraint, picked string }{
		{"~> 3.8.0", "3.8.3"},
		{"==3.1.*", "3.1.15"},
		{"", "3.8.3"},
		{"3.1.15", "3.1.15"},
		{"3.1", "3.1.0"},
		{"==3.1", "3.1.0"},
		{"= 3", "3.0.0"},
		{"3.1.15.0", "3.1.15"},
		{"3.1.15, != 3.1.14", "3.1.15"},
		{">= 3.1, ==3.1.15", "3.1.15"},
	} {
		advice := excludeAdvice(tt.picked, selector{PrefectVersion: tt.constraint})
		m := proposed.FindStringSubmatch(advice)
		if m == nil {
			if !strings.Contains(advice, "Choose another") {
				t.Errorf("%q: advice %q neither proposes a constraint nor says to choose", tt.constraint, advice)
			}
			continue
		}
		orig, err := prefecttag.ParseConstraint(tt.constraint)
		if err != nil {
			t.Fatal(err)
		}
		next, err := prefecttag.ParseConstraint(strings.ReplaceAll(m[1], `\"`, `"`))
		if err != nil {
			t.Errorf("%q: advice proposes %q, which does not parse: %v", tt.constraint, m[1], err)
			continue
		}
		left := false
		for _, v := range versions {
			if orig.Allows(v, true) && next.Allows(v, true) {
				left = true
				break
			}
		}
		if !left {
			t.Errorf("prefect_version %q picked %s: advice proposes %q, which admits nothing %q admitted", tt.constraint, tt.picked, m[1], tt.constraint)
		}
	}
}
