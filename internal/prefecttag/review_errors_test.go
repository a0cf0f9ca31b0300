package prefecttag_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
)

// Errors for values that are not constraints say what the value looks
// like and what to write instead; the alternative they offer parses.
func TestReviewConstraintErrorsAdviseRightly(t *testing.T) {
	for _, tt := range []struct {
		python    bool
		in        string
		want      []string // all in the error
		notWanted []string // none in the error
	}{
		// A flavor is not a prerelease spelling ("c" is PEP 440's rc).
		{false, "3.1.15-conda", []string{"flavor"}, []string{"normal form"}},
		{true, "3.12-conda", []string{"flavor"}, []string{"normal form"}},
		{true, "3.12-kubernetes", []string{"flavor"}, nil},
		// A whole tag pasted as a version.
		{false, "3.1.15-python3.12", []string{"tag"}, nil},
		{false, "3.1.15-python3.12-conda", []string{"tag"}, nil},
		{false, "3-latest", []string{"tag"}, nil},
		{false, "latest", []string{"leave the attribute out"}, nil},
		{true, "latest", []string{"leave python_version out"}, []string{"tag attribute"}},
		// Still told as prerelease spellings.
		{false, "3.0.0-rc14", []string{"normal form"}, nil},
		{false, "3.0.0c14", []string{"normal form"}, nil},
		{false, "3.0.0.RC1", []string{"normal form"}, nil},
		// Terraform's "~> 3.12.0" is no Python constraint: offer what is.
		{true, "3.12.*", []string{`"==3.12.*"`}, []string{"~> 3.12.0"}},
	} {
		var err error
		if tt.python {
			_, err = prefecttag.ParsePythonConstraint(tt.in)
		} else {
			_, err = prefecttag.ParseConstraint(tt.in)
		}
		if err == nil {
			t.Errorf("%q: no error", tt.in)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q does not contain %q", tt.in, err, w)
			}
		}
		for _, w := range tt.notWanted {
			if strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q contains %q", tt.in, err, w)
			}
		}
	}
}

// Every constraint an error offers in its place ("such as ...", "use
// Terraform's ...", "name the Python alone, ...") parses.
func TestReviewConstraintErrorSuggestionsParse(t *testing.T) {
	suggestion := regexp.MustCompile(`(?:such as|use Terraform's|name the Python alone,) "((?:[^"\\]|\\.)*)"`)
	for _, tt := range []struct {
		python bool
		in     string
	}{
		{false, "3.1.*"}, {false, "= 3.*"}, {false, "3.1.15.*"}, {false, "3.0.0rc14.*"}, {false, "= 3.1.16.dev2.*"},
		{false, "~=3.1.*"}, {false, ">= 3.0.0rc1.*"}, {false, "~=3"},
		{true, "3.12.*"}, {true, "3.*"}, {true, "= 3.12.*"}, {true, "3.12rc1.*"}, {true, "~=3"},
	} {
		parse := prefecttag.ParseConstraint
		if tt.python {
			parse = func(s string) (prefecttag.Constraint, error) {
				_, err := prefecttag.ParsePythonConstraint(s)
				return prefecttag.Constraint{}, err
			}
		}
		_, err := parse(tt.in)
		if err == nil {
			t.Errorf("%q: no error", tt.in)
			continue
		}
		for _, m := range suggestion.FindAllStringSubmatch(err.Error(), -1) {
			if _, err2 := parse(m[1]); err2 != nil {
				t.Errorf("%q: error %q offers %q, which is refused: %v", tt.in, err, m[1], err2)
			}
		}
	}
}
