package prefecttag

import (
	"fmt"
	"strings"
	"testing"

	goversion "github.com/hashicorp/go-version"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

func mustConstraint(t testing.TB, s string) Constraint {
	t.Helper()
	c, err := ParseConstraint(s)
	if err != nil {
		t.Fatalf("ParseConstraint(%q): %v", s, err)
	}
	return c
}

func TestConstraintAllows(t *testing.T) {
	tests := []struct {
		constraint string
		pre        bool // allowPrereleases
		yes, no    []string
	}{
		// Empty: any stable version.
		{"", false, []string{"3.1.15", "1.4.1", "2.6.9.post1"}, []string{"3.0.0rc14", "3.1.16.dev2", "2.0b8"}},
		{"", true, []string{"3.1.15", "3.0.0rc14", "3.1.16.dev2", "2.0b8"}, nil},
		{"   ", false, []string{"3.1.15"}, []string{"3.0.0rc1"}},

		// Terraform syntax.
		{"3.1.15", false, []string{"3.1.15"}, []string{"3.1.14", "3.1.16", "3.1.15.post1", "3.1.15rc1"}},
		{"= 3.1.15", false, []string{"3.1.15"}, []string{"3.1.16"}},
		{"=3.1.15", false, []string{"3.1.15"}, []string{"3.1.16"}},
		{"3.1", false, []string{"3.1.0", "3.1"}, []string{"3.1.1", "3.1.15"}},
		{"!= 3.2.0", false, []string{"3.1.15", "3.2.1"}, []string{"3.2.0", "3.2", "3.2.0rc1"}},
		{"!= 3.2.0", true, []string{"3.2.0rc1", "3.2.1"}, []string{"3.2.0"}},
		{"> 3", false, []string{"3.0.1", "3.1.15", "4.0.0"}, []string{"3.0.0", "2.20.25"}},
		{">= 3.1, < 3.4", false, []string{"3.1.0", "3.3.99", "3.2.0"}, []string{"3.0.9", "3.4.0", "3.4.1", "3.1.16.dev1"}},
		{">= 3.1, < 3.4", true, []string{"3.1.16.dev1", "3.3.0rc1"}, []string{"3.4.0rc1", "3.4.0.dev2", "3.1.0rc1", "3.4.0a1"}},
		{"<= 3.1.15", false, []string{"3.1.15", "3.1.0"}, []string{"3.1.16", "3.1.15.post1"}},
		{"<= 3.1.15", true, []string{"3.1.15rc1"}, []string{"3.1.16.dev1"}},
		{"~> 3.1", false, []string{"3.1.0", "3.4.0", "3.8.3", "3.99.99"}, []string{"3.0.9", "4.0.0", "2.20.25"}},
		{"~> 3.1", true, []string{"3.4.0rc1", "3.8.4.dev6"}, []string{"4.0.0rc1", "4.0.0.dev1", "3.1.0rc1"}},
		{"~> 3.1.0", false, []string{"3.1.0", "3.1.15"}, []string{"3.2.0", "3.0.9", "3.10.0"}},
		{"~> 3.1.0", true, []string{"3.1.16.dev2"}, []string{"3.2.0rc1", "3.1.0.dev1"}},
		{"~> 3.1.15", false, []string{"3.1.15", "3.1.99"}, []string{"3.1.14", "3.2.0"}},
		{"~> 3", false, []string{"3.0.0", "3.8.3", "4.0.0", "10.1.0"}, []string{"2.20.25"}},
		{"~> 2.20", false, []string{"2.20.25", "2.21.0"}, []string{"3.0.0", "2.19.9"}},
		{"~> 2.20.0", false, []string{"2.20.25"}, []string{"2.21.0"}},
		{">3.1.15", true, []string{"3.1.16.dev1", "3.2.0"}, []string{"3.1.15", "3.1.15.post1"}},
		{">3.1.15.post1", false, []string{"3.1.15.post2"}, []string{"3.1.15.post1", "3.1.15"}},
		{"<3.0.0rc10", true, []string{"3.0.0rc9", "3.0.0rc2", "3.0.0.dev1"}, []string{"3.0.0rc10", "3.0.0rc14"}},
		{">= 2.0, < 3", false, []string{"2.0.0", "2.20.25"}, []string{"3.0.0", "1.4.1"}},
		{" >= 3.1 , < 3.4 ", false, []string{"3.2.0"}, []string{"3.4.0"}},

		// PEP 440 syntax.
		{"==3.1.15", false, []string{"3.1.15"}, []string{"3.1.16", "3.1.15.post1"}},
		{"== 3.1.15", false, []string{"3.1.15"}, []string{"3.1.16"}},
		{"==3.1", false, []string{"3.1.0"}, []string{"3.1.1"}},
		{"==3.1.*", false, []string{"3.1.0", "3.1.15", "3.1"}, []string{"3.2.0", "3.10.0", "3.0.9", "3.1.16.dev1"}},
		{"==3.1.*", true, []string{"3.1.16.dev1", "3.1.0rc1"}, []string{"3.2.0rc1"}},
		{"==3.*", false, []string{"3.0.0", "3.8.3"}, []string{"2.20.25", "4.0.0"}},
		{"!=3.1.*", false, []string{"3.0.9", "3.2.0", "3.10.0"}, []string{"3.1.0", "3.1.15"}},
		{"!=3.2.0", false, []string{"3.1.15"}, []string{"3.2.0"}},
		{"~=3.1.2", false, []string{"3.1.2", "3.1.15"}, []string{"3.1.1", "3.2.0"}},
		{"~=3.1", false, []string{"3.1.0", "3.8.3"}, []string{"3.0.9", "4.0.0"}},
		{"~=3.1.0", true, []string{"3.1.16.dev2"}, []string{"3.2.0rc1"}},
		{"~=2.0b8", true, []string{"2.0b8", "2.0b10", "2.0.0", "2.20.25"}, []string{"2.0b7", "3.0.0"}},
		{">=3.1,<3.4", false, []string{"3.1.0", "3.3.9"}, []string{"3.4.0", "3.0.0"}},
		{">=3.1,<3.4", true, []string{"3.3.0rc1"}, []string{"3.4.0rc1", "3.4.0.dev1"}},
		{">=3.1,<3.4,!=3.2.*", false, []string{"3.1.15", "3.3.0"}, []string{"3.2.0", "3.2.14"}},
		{">= 3.0.0rc1, < 3.0.0", true, nil, []string{"3.0.0rc1", "3.0.0rc20", "3.0.0"}}, // PEP 440 and go-version agree
		{">= 3.0.0rc1, < 3.0.0rc99", true, []string{"3.0.0rc1", "3.0.0rc20"}, []string{"3.0.0", "2.20.25"}},
		{"<3.4.0rc1", true, []string{"3.4.0a1", "3.4.0.dev3", "3.3.9"}, []string{"3.4.0rc1", "3.4.0"}},
		{">3.0.0rc14", true, []string{"3.0.0rc15", "3.0.0"}, []string{"3.0.0rc14", "3.0.0rc2"}},

		// An exact prerelease may be named without allowPrereleases.
		{"3.0.0rc14", false, []string{"3.0.0rc14"}, []string{"3.0.0rc15", "3.0.0", "3.0.0rc13"}},
		{"= 3.0.0rc14", false, []string{"3.0.0rc14"}, []string{"3.0.0rc2"}},
		{"==3.0.0rc14", false, []string{"3.0.0rc14"}, []string{"3.0.0rc10"}},
		{"==3.1.16.dev2", false, []string{"3.1.16.dev2"}, []string{"3.1.16.dev1"}},
		{"2.0b8", false, []string{"2.0b8", "2.0.0b8"}, []string{"2.0b7"}},
		// ...but a range that merely mentions one does not let prereleases in.
		{">= 3.0.0rc14", false, []string{"3.0.0", "3.8.3"}, []string{"3.0.0rc15", "3.0.0rc14"}},
		{">= 3.0.0rc14", true, []string{"3.0.0rc14", "3.0.0rc15"}, []string{"3.0.0rc13"}},
		{"!= 3.0.0rc14", false, []string{"3.0.0"}, []string{"3.0.0rc13", "3.0.0rc14"}},
		{"==3.0.0rc14, !=3.0.0rc13", false, []string{"3.0.0rc14"}, []string{"3.0.0rc13", "3.0.0"}}, // "!=3.0.0rc14" is met by no version: TestConstraintNoVersionMeets
		{"~> 3.0.0rc14", false, []string{"3.0.0", "3.0.11"}, []string{"3.0.0rc15", "3.1.0"}},
		{"~> 3.0.0rc14", true, []string{"3.0.0rc15", "3.0.0"}, []string{"3.0.0rc13", "3.1.0"}},
	}
	for _, tt := range tests {
		c := mustConstraint(t, tt.constraint)
		for _, s := range tt.yes {
			if !c.Allows(mustVersion(t, s), tt.pre) {
				t.Errorf("%q (allowPrereleases %v) rejects %s, want allowed", tt.constraint, tt.pre, s)
			}
		}
		for _, s := range tt.no {
			if c.Allows(mustVersion(t, s), tt.pre) {
				t.Errorf("%q (allowPrereleases %v) allows %s, want rejected", tt.constraint, tt.pre, s)
			}
		}
	}
}

func TestConstraintParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"~> 3.1, ==3.1.*", "Terraform syntax"},
		{"3.1.15, ==3.1.*", "PEP 440 syntax"},
		{"= 3.1, ~=3.1", "write the constraint in one of them"},
		{"3.1.*", `needs PEP 440's "==" or "!="`},
		{"= 3.1.*", `needs PEP 440's "==" or "!="`},
		{">= 3.1.*", "only goes with"},
		{"~> 3.1.*", "only goes with"},
		{"==3.0.0rc1.*", "release numbers only"},
		{"==3.*.1", "unexpected"},
		{"~=3", "at least two release numbers"},
		{"===3.1.15", "arbitrary equality"},
		{"=> 3.1", `did you mean ">="`},
		{"=< 3.1", `did you mean "<="`},
		{">=", "needs a version"},
		{"~>", "needs a version"},
		{"==", "needs a version"},
		{"3.1,", "empty clause"},
		{",3.1", "empty clause"},
		{">= 3.1,, < 3.4", "empty clause"},
		{"^3.1", "unknown operator"},
		{"~3.1", "unknown operator"},
		{">>3.1", "unknown operator"},
		{"v3.1", `no "v" prefix`},
		{">= v3.1", `no "v" prefix`},
		{"3.1.x", "no wildcard"},
		{"~> 3.x", "no wildcard"},
		{"3.0.0-rc14", "normal form"},
		{">= 3.0.0-rc1", "normal form"},
		{"latest", "is a tag, not a version"},
		{">= 3.1 < 3.4", "separate clauses with commas"},
		{">= 3.1 && < 3.4", "separate clauses with commas"},
		{"3.1.15 3.1.16", "separate clauses with commas"},
	}
	for _, tt := range tests {
		_, err := ParseConstraint(tt.in)
		if err == nil {
			t.Errorf("ParseConstraint(%q) succeeded, want an error containing %q", tt.in, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), fmt.Sprintf("invalid version constraint %q: ", tt.in)) {
			t.Errorf("ParseConstraint(%q) error:\n  %v\nwant it to name the input and contain %q", tt.in, err, tt.want)
		}
	}
}

func TestConstraintExactAndString(t *testing.T) {
	tests := []struct {
		in    string
		exact string // "" for not exact
	}{
		{"3.1.15", "3.1.15"},
		{" = 3.1.15 ", "3.1.15"},
		{"==3.1.15", "3.1.15"},
		{"3.0.0rc14", "3.0.0rc14"},
		{"==3.1.16.dev2", "3.1.16.dev2"},
		{"2.0b8", "2.0b8"},
		{"3.1", ""},      // would render as the minor tag 3.1-python…
		{"3", ""},        // the major tag
		{"3rc1", ""},     // no release tag has this shape
		{"3.1.15.0", ""}, // nor this
		{"==3.1.*", ""},
		{">= 3.1.15", ""},
		{"~> 3.1.15", ""},
		{"!= 3.1.15", ""},
		{"3.1.15, 3.1.15", ""},
		{"", ""},
	}
	for _, tt := range tests {
		c := mustConstraint(t, tt.in)
		v, ok := c.Exact()
		if ok != (tt.exact != "") || ok && v.String() != tt.exact {
			t.Errorf("ParseConstraint(%q).Exact() = %q, %v; want %q", tt.in, v, ok, tt.exact)
		}
		if !ok && v != (Version{}) {
			t.Errorf("ParseConstraint(%q).Exact() = %q with false, want the zero Version", tt.in, v)
		}
		if got := c.String(); got != strings.TrimSpace(tt.in) {
			t.Errorf("ParseConstraint(%q).String() = %q", tt.in, got)
		}
	}
	if (Constraint{}).String() != "" || !(Constraint{}).Allows(mustVersion(t, "3.1.15"), false) {
		t.Error("the zero Constraint should allow any stable version and print as empty")
	}
}

// A short exact version ("3.4") means 3.4.0, not the newest 3.4.z that
// Prefect's moving tag 3.4-python3.12 follows; the provider warns about it.
// A bare X.D may also be X.D0 written without quotes, a number to Terraform.
func TestConstraintShortExact(t *testing.T) {
	tests := []struct {
		in              string
		short, unquoted string // "" for none
	}{
		{"3.4", "3.4", "3.40"},
		{" 2.2 ", "2.2", "2.20"},
		{"3.1", "3.1", "3.10"},
		{"2.9", "2.9", "2.90"}, // the highest single digit a number can lose a 0 after
		{"= 3.4", "3.4", ""},
		{"=3.4", "3.4", ""},
		{"==3.4", "3.4", ""},
		{"3", "3", ""},
		{"== 3", "3", ""},
		{"3.0", "3.0", ""}, // no number reads as 3.0: 3.0 becomes "3"
		{"3.12", "3.12", ""},
		{"3.4.0", "", ""},
		{"==3.4.0", "", ""},
		{"3.1.15", "", ""},
		{"==3.4.*", "", ""},
		{"!=3.4.*", "", ""},
		{"~> 3.4", "", ""},
		{"~=3.4", "", ""},
		{">= 3.4", "", ""},
		{"!= 3.4", "", ""},
		{"2.0b8", "", ""},
		{"3rc1", "", ""},
		{"3.4.post1", "", ""},
		{"3.4, != 3.4.1", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		c := mustConstraint(t, tt.in)
		if v, ok := c.ShortExact(); ok != (tt.short != "") || ok && v.String() != tt.short {
			t.Errorf("ParseConstraint(%q).ShortExact() = %q, %v; want %q", tt.in, v, ok, tt.short)
		}
		if v, ok := c.UnquotedReading(); ok != (tt.unquoted != "") || ok && v.String() != tt.unquoted {
			t.Errorf("ParseConstraint(%q).UnquotedReading() = %q, %v; want %q", tt.in, v, ok, tt.unquoted)
		}
	}
}

// TestTerraformSyntaxMatchesGoVersion checks Terraform-syntax constraints
// against hashicorp/go-version, which Terraform itself uses, on stable
// versions (go-version cannot parse PEP 440 prereleases, and prerelease
// policy is ours). Only two-segment and longer versions with up to three
// numbers are compared; see Constraint for the one four-number difference.
func TestTerraformSyntaxMatchesGoVersion(t *testing.T) {
	var versions []string
	for a := 0; a <= 4; a++ {
		versions = append(versions, fmt.Sprint(a), fmt.Sprintf("%d.0", a))
		for b := 0; b <= 3; b++ {
			versions = append(versions, fmt.Sprintf("%d.%d", a, b))
			for c := 0; c <= 3; c++ {
				versions = append(versions, fmt.Sprintf("%d.%d.%d", a, b, c))
			}
		}
	}
	versions = append(versions, "3.10.0", "3.9.10", "10.0.0")
	var constraints []string
	for _, op := range []string{"", "= ", "!= ", "> ", ">= ", "< ", "<= ", "~> "} {
		for _, v := range []string{"3", "3.0", "3.1", "3.1.0", "3.1.2", "0.1", "2.3.1", "3.10", "4"} {
			constraints = append(constraints, op+v)
		}
	}
	constraints = append(constraints, ">= 3.1, < 3.4", "~> 3.1, != 3.2.0", "> 1, < 3.1.2")
	checked := 0
	for _, cs := range constraints {
		ours := mustConstraint(t, cs)
		theirs, err := goversion.NewConstraint(cs)
		if err != nil {
			t.Fatalf("go-version rejects %q: %v", cs, err)
		}
		for _, vs := range versions {
			gv := goversion.Must(goversion.NewVersion(vs))
			want := theirs.Check(gv)
			if got := ours.Allows(mustVersion(t, vs), false); got != want {
				t.Errorf("%q allows %s: got %v, go-version says %v", cs, vs, got, want)
			}
			checked++
		}
	}
	if checked < 5000 {
		t.Fatalf("only %d checks", checked)
	}
}

func FuzzParseConstraint(f *testing.F) {
	for _, s := range []string{
		"", "3.1.15", "= 3.1.15", "!= 3.2.0", "> 3", ">= 3.1, < 3.4", "~> 3.1", "~> 3.1.0",
		"==3.1.15", "==3.1.*", "!=3.1.*", "~=3.1.2", "~=3.1", ">=3.1,<3.4", "===x", "3.0.0rc14",
		"~> 3.1, ==3.1.*", ",", "=> 3", "==.*",
	} {
		f.Add(s, "3.1.15", false)
	}
	f.Add(">= 3.1", "3.4.0rc1", true)
	f.Add("~> 3", "4.0.0", false)
	f.Add("> 3.1, != 3.2", "3.2.0", false)
	f.Add("<= 3", "3.0.1", false)
	f.Fuzz(func(t *testing.T, s, version string, pre bool) {
		c, err := ParseConstraint(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid version constraint ") {
				t.Fatalf("ParseConstraint(%q) error %q does not say what failed", s, err)
			}
			return
		}
		// What String prints parses again, to a constraint that means the same.
		c2, err := ParseConstraint(c.String())
		if err != nil {
			t.Fatalf("ParseConstraint(%q).String() = %q does not parse: %v", s, c.String(), err)
		}
		v, err := ParseVersion(version)
		if err != nil {
			return
		}
		got := c.Allows(v, pre)
		if got2 := c2.Allows(v, pre); got != got2 {
			t.Fatalf("%q and its String %q disagree on %s", s, c.String(), version)
		}
		// Allowing prereleases never takes a version away.
		if got && !c.Allows(v, true) {
			t.Fatalf("%q allows %s only without prereleases", s, version)
		}
		if e, ok := c.Exact(); ok && c.Allows(v, pre) != (v.Compare(e) == 0) {
			t.Fatalf("%q is exact %s but Allows(%s) = %v", s, e, version, got)
		}
		// Where Terraform's own reading applies, it is the oracle: a
		// constraint of Terraform or shared clauses on plain versions of at
		// most three numbers, which go-version also parses, meets a plain
		// version of at most three numbers exactly when go-version's Check
		// says so (as TestTerraformSyntaxMatchesGoVersion checks on a grid).
		if !terraformComparable(c) || !v.isPlain() || v.releaseLen() > 3 {
			return
		}
		theirs, err := goversion.NewConstraint(s)
		if err != nil {
			return
		}
		gv, err := goversion.NewVersion(version)
		if err != nil {
			t.Fatalf("go-version does not parse the plain version %q: %v", version, err)
		}
		if want := theirs.Check(gv); got != want {
			t.Fatalf("%q allows %s: got %v, go-version says %v", s, version, got, want)
		}
	})
}

// terraformComparable reports whether every clause of c means what
// hashicorp/go-version means by it: no PEP 440 clause ("==", "~=", a
// wildcard), and each bound a plain version of at most three numbers (see
// Constraint for "~>" on four numbers; go-version orders prereleases as
// SemVer does, not as PEP 440).
func terraformComparable(c Constraint) bool {
	for i := range c.clauses {
		cl := &c.clauses[i]
		if cl.syntax == syntaxPEP440 || cl.wildcard || !cl.v.isPlain() || cl.v.releaseLen() > 3 {
			return false
		}
	}
	return len(c.clauses) > 0
}

// An operator written with white space inside it ("> = 3.1", "~ > 3.1") or
// an unknown one followed by a space ("~ 3.1", "^ 3.1") is an operator
// error, not advice to separate clauses with commas.
func TestConstraintOperatorWithSpaceInside(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"> = 3.1", `write ">=" with no white space inside it`},
		{">= 3.1, < = 3.4", `write "<=" with no white space inside it`},
		{"~ > 3.1", `write "~>" with no white space inside it`},
		{"= = 3.1.15", `write "==" with no white space inside it`},
		{"! = 3.2.0", `write "!=" with no white space inside it`},
		{"~ = 3.1.2", `write "~=" with no white space inside it`},
		{"~ 3.1", "unknown operator"},
		{"^ 3.1", "unknown operator"},
		// "=>" and "=<" get "did you mean" with white space inside too.
		{"= > 3.1", `unknown operator "= >"; did you mean ">="?`},
		{"= >3.1", `unknown operator "= >"; did you mean ">="?`},
		{">= 3.1, = < 3.4", `unknown operator "= <"; did you mean "<="?`},
	} {
		_, err := ParseConstraint(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "commas") {
			t.Errorf("ParseConstraint(%q) error:\n  %v\nwant one containing %q, without advice about commas", tt.in, err, tt.want)
		}
	}
	if _, err := ParsePythonConstraint("> = 3.11"); err == nil || !strings.Contains(err.Error(), `write ">="`) {
		t.Errorf(`ParsePythonConstraint("> = 3.11") error: %v`, err)
	}
}

// Same is the canonical comparison of parsed clauses: respellings of one
// clause and clause order are the same; anything that reads differently is
// not. Constraints that are Same must allow the same versions, prereleases
// and post releases included, with and without allowPrereleases.
func TestConstraintSame(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"", "  ", true},
		{"3.1.15", "= 3.1.15", true},
		{"3.1.15", "==3.1.15", true},
		{"3.0.0rc14", "== 3.0.0rc14", true},
		{"~> 3.1", "~=3.1", true},
		{"~> 3.1.2", "~= 3.1.2", true},
		{">=3.1,<3.4", "< 3.4, >= 3.1", true},
		{"!=3.1.*, >=3", ">= 3, != 3.1.*", true},
		{"3.1", "3.1.0", false},
		{"~> 3.1", "~> 3.1.0", false},
		{"==3.1.*", "~> 3.1.0", false},
		{">= 3.0.0rc1", ">= 3.0.0", false},
		{"3.0.0rc14", ">= 3.0.0rc14, <= 3.0.0rc14", false},
		{"> 3.1.15", ">= 3.1.15", false},
		{"< 3.4", "<= 3.3.99", false},
		{"!=3.1.*", "!=3.1", false},
		{">=3.1", ">=3.1, >=3.1", false},
		{">=3.1", ">=3.1, <4", false},
	} {
		a, b := mustConstraint(t, tc.a), mustConstraint(t, tc.b)
		if got := a.Same(b); got != tc.same || b.Same(a) != got {
			t.Errorf("%q Same %q = %v, want %v", tc.a, tc.b, got, tc.same)
		}
		if !tc.same {
			continue
		}
		for _, s := range []string{"2.20.25", "3", "3.0.0", "3.0.0rc14", "3.0.0rc1", "3.1", "3.1.0rc1", "3.1.2", "3.1.15",
			"3.1.15.post1", "3.1.16.dev2", "3.2.0", "3.3.99", "3.4.0rc1", "3.4.0", "4.0.0rc1", "4.0.0"} {
			v := mustVersion(t, s)
			for _, pre := range []bool{false, true} {
				if a.Allows(v, pre) != b.Allows(v, pre) {
					t.Errorf("%q and %q are Same but differ on %s (allowPrereleases %v)", tc.a, tc.b, s, pre)
				}
			}
		}
	}
}

// The provider's index page says Terraform's ~> and PEP 440's ~= agree
// wherever both can be written (only the last number given may rise), and
// that ~=3 is refused: every version of the catalog, prereleases included,
// is admitted by both spellings or by neither.
func TestPessimisticOperatorsAgree(t *testing.T) {
	var versions []Version
	seen := map[string]bool{}
	for _, s := range tagcatalog.Prefect() {
		tag, err := ParseTag(s)
		if err != nil || tag.Kind != KindRelease || seen[tag.Version.String()] {
			continue
		}
		seen[tag.Version.String()] = true
		versions = append(versions, tag.Version)
	}
	if len(versions) < 500 {
		t.Fatalf("%d versions in the catalog; the loop misses them", len(versions))
	}
	for _, v := range []string{"3.4", "3.4.0", "3.1.2", "2.20", "2.20.3", "3.0.0rc14", "3.1.16.dev2"} {
		tf, err := ParseConstraint("~> " + v)
		if err != nil {
			t.Fatalf("~> %s: %v", v, err)
		}
		pep, err := ParseConstraint("~=" + v)
		if err != nil {
			t.Fatalf("~=%s: %v", v, err)
		}
		admitted := 0
		for _, w := range versions {
			for _, pre := range []bool{false, true} {
				if a, b := tf.Allows(w, pre), pep.Allows(w, pre); a != b {
					t.Errorf("%s (prereleases %t): ~> %s says %t, ~=%s says %t", w, pre, v, a, v, b)
				} else if a {
					admitted++
				}
			}
		}
		if admitted == 0 {
			t.Errorf("~> %s admits nothing of the catalog: the comparison proves nothing", v)
		}
	}
	if _, err := ParseConstraint("~=3"); err == nil {
		t.Error("~=3 was taken; the index page says it is refused")
	}
}
