package prefecttag_test

import (
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
)

// An equality admits one version alone, so a constraint with an equality
// that another of its clauses refuses is met by no version: it is refused
// when parsed (at validate time), naming the two clauses, not left to fail
// later as "no match". A version written with commas for dots ("3,1,15")
// is such a constraint, and the error offers the dotted version.
func TestConstraintNoVersionMeets(t *testing.T) {
	for _, tt := range []struct {
		python bool
		in     string
		want   []string
	}{
		{false, "3,1,15", []string{`"3.1.15"`, "commas"}},
		{false, "3, 1", []string{`"3.1"`, "commas"}},
		{true, "3,12", []string{`"3.12"`, "commas"}},
		{false, "3.1.15, 3.1.16", []string{`"3.1.15" and "3.1.16"`, "no version"}},
		{false, "==3.1.15, ==3.1.16", []string{`"==3.1.15" and "==3.1.16"`, "no version"}},
		{false, "3.1.15, >= 3.2", []string{`"3.1.15" and ">= 3.2"`, "no version"}},
		{false, "3.1.15, != 3.1.15.0", []string{`"3.1.15" and "!= 3.1.15.0"`}},
		{false, "==3.1.15, !=3.1.*", []string{`"==3.1.15" and "!=3.1.*"`}},
		{false, "3.0.0rc1, < 3.0.0", []string{`"3.0.0rc1" and "< 3.0.0"`}},
		{false, "==3.0.0rc14, !=3.0.0rc14", []string{`"==3.0.0rc14" and "!=3.0.0rc14"`}},
		{true, "3.11, 3.12", []string{`"3.11" and "3.12"`}},
		{true, "3.12, < 3.12", []string{`"3.12" and "< 3.12"`}},
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
	}
	// Equalities another clause lets through still parse.
	for _, in := range []string{"3.1.15, != 3.1.14", "3.1, 3.1.0", "==3.1.15, >=3.1, <3.2", "3.0.0rc14, <= 3.0.0", "~> 3.1, 3.1.0", "==3.1.15, ==3.1.*"} {
		if _, err := prefecttag.ParseConstraint(in); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}
