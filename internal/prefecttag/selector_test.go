package prefecttag

import (
	"strings"
	"testing"
)

func selector(t testing.TB, versions, python, flavor string, pre bool) Selector {
	t.Helper()
	vc, err := ParseConstraint(versions)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := ParsePythonConstraint(python)
	if err != nil {
		t.Fatal(err)
	}
	return Selector{Versions: vc, Python: pc, Flavor: Flavor(flavor), AllowPrereleases: pre}
}

func TestSelectorString(t *testing.T) {
	tests := []struct {
		s    Selector
		want string
	}{
		{selector(t, "~> 3.4", "3.12", "conda", false), `prefect_version "~> 3.4", python_version "3.12", flavor "conda"`},
		{selector(t, "", "", "", false), `prefect_version (any), python_version (any), flavor "standard"`},
		{selector(t, ">=3.1,<3.4", ">= 3.11", "kubernetes", true), `prefect_version ">=3.1,<3.4", python_version ">= 3.11", flavor "kubernetes", allow_prereleases true`},
		{Selector{}, `prefect_version (any), python_version (any), flavor "standard"`},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("String() =\n  %s\nwant\n  %s", got, tt.want)
		}
	}
}

func TestSelectorExactTag(t *testing.T) {
	tests := []struct {
		versions, python, flavor string
		want                     string // "" for no exact tag
	}{
		{"3.1.15", "3.12", "", "3.1.15-python3.12"},
		{"= 3.1.15", "==3.12", "standard", "3.1.15-python3.12"},
		{"==3.7.8", "3.11", "conda", "3.7.8-python3.11-conda"},
		{"3.0.0rc14", "3.9", "kubernetes", "3.0.0rc14-python3.9-kubernetes"},
		{"3.1.16.dev2", "3.12", "", "3.1.16.dev2-python3.12"},
		{"2.0b8", "3.9", "", "2.0b8-python3.9"},
		{"3.1", "3.12", "", ""}, // would be the minor tag
		{"3", "3.12", "", ""},   // would be the major tag
		{"3.1.15", "", "", ""},
		{"3.1.15", ">= 3.12", "", ""},
		{"~> 3.1.15", "3.12", "", ""},
		{"==3.1.*", "3.12", "", ""},
		{"", "3.12", "", ""},
		{"3.1.15", "3.12", "slim", ""},
	}
	for _, tt := range tests {
		s := selector(t, tt.versions, tt.python, tt.flavor, false)
		got, ok := s.ExactTag()
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("%s: ExactTag() = %q, %v; want %q", s, got, ok, tt.want)
		}
	}
}

func TestParseSelector(t *testing.T) {
	sel, err := ParseSelector("~> 3.4", "3.12", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if sel.Flavor != FlavorStandard || !sel.AllowPrereleases || sel.Versions.String() == "" || sel.Python.String() == "" {
		t.Errorf("ParseSelector = %+v", sel)
	}
	for _, tc := range []struct{ version, python, flavor, want string }{
		{"~> banana", "", "", `prefect_version "~> banana": `},
		{"", "3.12.1", "", `python_version "3.12.1": `},
		{"", "", "slim", `flavor "slim": `},
	} {
		if _, err := ParseSelector(tc.version, tc.python, tc.flavor, false); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ParseSelector(%q, %q, %q) error = %v, want it to start %q", tc.version, tc.python, tc.flavor, err, tc.want)
		}
	}
}
