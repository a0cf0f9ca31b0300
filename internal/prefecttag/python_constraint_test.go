package prefecttag

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func py(t testing.TB, s string) Python {
	t.Helper()
	p, err := ParsePython(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPythonConstraintAllows(t *testing.T) {
	tests := []struct {
		in      string
		yes, no []string
	}{
		{"", []string{"3.7", "3.12", "3.14"}, nil},
		{"3.12", []string{"3.12"}, []string{"3.11", "3.13", "3.1", "3.120"}},
		{"= 3.12", []string{"3.12"}, []string{"3.13"}},
		{"==3.12", []string{"3.12"}, []string{"3.13"}},
		{"3.9", []string{"3.9"}, []string{"3.10", "3.90"}},
		{">= 3.11", []string{"3.11", "3.12", "3.14", "4.0"}, []string{"3.10", "3.9"}},
		{"> 3.9", []string{"3.10", "3.14"}, []string{"3.9", "3.8"}},
		{"< 3.10", []string{"3.9", "3.7"}, []string{"3.10", "3.12"}},
		{"<= 3.12", []string{"3.12", "3.9"}, []string{"3.13"}},
		{"~> 3.11", []string{"3.11", "3.14"}, []string{"3.10", "4.0"}},
		{"~> 3", []string{"3.0", "3.14", "4.0"}, []string{"2.7"}},
		{"~=3.11", []string{"3.11", "3.14"}, []string{"3.10", "4.0"}},
		{">=3.10,<3.13", []string{"3.10", "3.11", "3.12"}, []string{"3.9", "3.13", "3.14"}},
		{">= 3.10, < 3.13", []string{"3.12"}, []string{"3.13"}},
		{"!= 3.13", []string{"3.12", "3.14"}, []string{"3.13"}},
		{"==3.*", []string{"3.7", "3.14"}, []string{"2.7", "4.0"}},
		{"!=3.*", []string{"2.7", "4.0"}, []string{"3.12"}},
		{"==3.12.*", []string{"3.12"}, []string{"3.1", "3.11", "3.120"}},
		{">=3.9, !=3.11.*", []string{"3.9", "3.10", "3.12"}, []string{"3.8", "3.11"}},
		{">= 3", []string{"3.0", "3.12"}, []string{"2.7"}},
	}
	for _, tt := range tests {
		c, err := ParsePythonConstraint(tt.in)
		if err != nil {
			t.Errorf("ParsePythonConstraint(%q): %v", tt.in, err)
			continue
		}
		for _, s := range tt.yes {
			if !c.Allows(py(t, s)) {
				t.Errorf("%q rejects Python %s, want allowed", tt.in, s)
			}
		}
		for _, s := range tt.no {
			if c.Allows(py(t, s)) {
				t.Errorf("%q allows Python %s, want rejected", tt.in, s)
			}
		}
		if got := c.String(); got != strings.TrimSpace(tt.in) {
			t.Errorf("String() = %q, want %q", got, strings.TrimSpace(tt.in))
		}
	}
}

func TestPythonConstraintRejects(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"3", "major.minor"},
		{"= 3", "major.minor"},
		{"!= 3", "major.minor"},
		{"3.12.1", "never a patch"},
		{">= 3.12.1", "never a patch"},
		{"python3.12", "alone"},
		{"py3.12", "alone"},
		{"3.12rc1", "no prerelease"},
		{">= 3.13.dev1", "no prerelease"},
		{"3.13t", `unexpected "t"`}, // free-threaded: no Prefect image
		{">= 3.14t", `unexpected "t"`},
		{"==3.12.1.*", "never a patch"},
		{"3.*", `needs PEP 440's "=="`},
		{"~=3", "two release numbers"},
		{"~> 3.11, ==3.*", "Terraform syntax"},
		{">= 3.x", "no wildcard"},
		{"^3.11", "unknown operator"},
		{"3.12,", "empty clause"},
		{"v3.12", `no "v" prefix`},
		// "<= 3" is "<= 3.0": of Python 3 it admits 3.0 alone.
		{"<= 3", `"<= 3" reads as "<= 3.0"`},
		{"<=3", `for every Python 3 write "< 4"`},
		{">= 3.9, <= 4", `for every Python 4 write "< 5"`},
	} {
		_, err := ParsePythonConstraint(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "invalid Python version constraint ") {
			t.Errorf("ParsePythonConstraint(%q) error = %v, want one naming the input and containing %q", tt.in, err, tt.want)
		}
	}
}

func TestPythonConstraintExact(t *testing.T) {
	for _, tt := range []struct{ in, exact string }{
		{"3.12", "3.12"},
		{" 3.12 ", "3.12"},
		{"==3.12", "3.12"},
		{"= 3.14", "3.14"},
		{"", ""},
		{">= 3.12", ""},
		{"~> 3.12", ""},
		{"==3.*", ""},
		{"3.12, 3.12", ""},
		{"!= 3.12", ""},
	} {
		c, err := ParsePythonConstraint(tt.in)
		if err != nil {
			t.Fatalf("ParsePythonConstraint(%q): %v", tt.in, err)
		}
		p, ok := c.Exact()
		if ok != (tt.exact != "") || ok && p.String() != tt.exact || !ok && p != (Python{}) {
			t.Errorf("ParsePythonConstraint(%q).Exact() = %v, %v; want %q", tt.in, p, ok, tt.exact)
		}
	}
}

func FuzzParsePythonConstraint(f *testing.F) {
	for _, s := range []string{"", "3.12", ">= 3.11", "~> 3.11", ">=3.10,<3.13", "==3.12", "==3.*", "3", "3.12.1", "python3.12"} {
		f.Add(s, 3, 12)
	}
	f.Fuzz(func(t *testing.T, s string, major, minor int) {
		c, err := ParsePythonConstraint(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid Python version constraint ") {
				t.Fatalf("error %q does not say what failed", err)
			}
			return
		}
		if major < 0 || minor < 0 {
			return
		}
		p := Python{major, minor}
		c2, err := ParsePythonConstraint(c.String())
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", c.String(), s, err)
		}
		if c.Allows(p) != c2.Allows(p) {
			t.Fatalf("%q and %q disagree on %v", s, c.String(), p)
		}
		if e, ok := c.Exact(); ok && c.Allows(p) != (p == e) {
			t.Fatalf("%q is exact %v but Allows(%v) = %v", s, e, p, c.Allows(p))
		}
	})
}

// A version written with an "x" wildcard ("3.12.x", "2.20.x") is refused
// with advice written with the user's own version, in forms the same
// attribute takes: python_version takes no "~> 3.12.0" (a patch number), and
// prefect_version "2.20.x" is not "==3.1.*".
func TestXWildcardAdviceIsTheUsersAndParses(t *testing.T) {
	for _, tt := range []struct {
		python bool
		in     string
		advice []string
	}{
		{false, "3.1.x", []string{`"==3.1.*"`, `"~> 3.1.0"`}},
		{false, "2.20.x", []string{`"==2.20.*"`, `"~> 2.20.0"`}},
		{false, "3.x", []string{`"==3.*"`, `"~> 3.0"`}},
		{false, "~> 3.X", []string{`"~> 3.0"`}},
		{false, ">= 3.1.x", []string{`">= 3.1"`}},
		{false, ">= 3.1, != 3.2.x", []string{`"!=3.2.*"`}},
		{false, "~=2.20.x", []string{`"~= 2.20.0"`}},
		{true, "3.12.x", []string{`"3.12"`, `"==3.12.*"`}},
		{true, "3.x", []string{`"==3.*"`, `">= 3"`}},
		{true, ">= 3.x", []string{`">= 3"`}},
		{true, ">= 3.10, <3.13.X", []string{`"< 3.13"`}},
		{true, "~> 3.10.x", []string{`"~> 3.10"`}},
		{true, "!=3.11.x", []string{`"!=3.11.*"`}},
	} {
		var err error
		if tt.python {
			_, err = ParsePythonConstraint(tt.in)
		} else {
			_, err = ParseConstraint(tt.in)
		}
		if err == nil {
			t.Errorf("%q parsed", tt.in)
			continue
		}
		for _, a := range tt.advice {
			if !strings.Contains(err.Error(), a) {
				t.Errorf("%q: error does not advise %s:\n  %v", tt.in, a, err)
				continue
			}
			s, _ := strconv.Unquote(a)
			var perr error
			if tt.python {
				_, perr = ParsePythonConstraint(s)
			} else {
				_, perr = ParseConstraint(s)
			}
			if perr != nil {
				t.Errorf("%q: the advice %s does not parse: %v", tt.in, a, perr)
			}
		}
		if tt.python && regexp.MustCompile(`~> [0-9]+\.[0-9]+\.[0-9]`).MatchString(err.Error()) {
			t.Errorf("%q: error advises a \"~>\" form with a patch number, which python_version refuses:\n  %v", tt.in, err)
		}
	}
}
