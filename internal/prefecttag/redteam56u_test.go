package prefecttag

import (
	"strings"
	"testing"
)

// A python_version written as pip or a wheel writes it, or with two
// things wrong at once, is refused with everything to fix in one error,
// so that one validate is enough.
func TestRedteam56uPythonSaysAllAtOnce(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"cp312", `"cp312" is a wheel's Python tag (CPython 3.12); python_version takes the version: write "3.12"`},
		{"cp39", `write "3.9"`},
		{"CP311", `write "3.11"`},
		{">=cp311", `write ">= 3.11"`},
		{"==cp312", `write "==3.12"`},
		{"3.12, cp311", `"cp311" is a wheel's Python tag`},
		// Clauses without commas, and a patch number: both, and what to write.
		{">=3.10.1 <3.13", `separate clauses with commas, and name each Python as major.minor, as image tags do, never with a patch number: write ">=3.10, <3.13"`},
		{">= 3.10.1 < 3.13.0", `write ">= 3.10, < 3.13"`},
		{">3.10.1 <3.13", `write ">=3.10, <3.13"`},
		// A patch with no major.minor form: both problems, the second as the parser says it.
		{">=3.10 <3.12.4", `separate clauses with commas (">=3.10, <3.12.4"), and then: "<3.12.4": image tags name Python as major.minor`},
		// Clauses without commas alone: unchanged.
		{">=3.10 <3.13", `separate clauses with commas: write ">=3.10, <3.13"`},
		{"≥3.11", `'≥' is not an ASCII operator (a word processor's or chat tool's lookalike); write ">=3.11"`},
		{"≥3.11.2", `written in ASCII, ">=3.11.2", the constraint is still refused: ">=3.11.2": image tags name Python as major.minor`},
		{"3.12,", `empty clause: commas separate clauses, and one has nothing on one side; write "3.12"`},
	} {
		_, err := ParsePythonConstraint(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v\nwant it to contain %s", c.in, err, c.want)
		}
	}
	// Still taken.
	for _, in := range []string{"3.12", " 3.12 ", ">=3.10, <3.13", "==3.12.*", "~=3.11"} {
		if _, err := ParsePythonConstraint(in); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// A Prefect constraint with a lookalike operator, a stray comma or an
// epoch is refused with what to write.
func TestRedteam56uConstraintSaysWhatToWrite(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"≥3.1", `'≥' is not an ASCII operator (a word processor's or chat tool's lookalike); write ">=3.1"`},
		{"≥ 3.1, ≤ 3.4", `'≥' and '≤' are not ASCII operators (a word processor's or chat tool's lookalikes); write ">= 3.1, <= 3.4"`},
		{"≠3.2.0", `write "!=3.2.0"`},
		{"＞3.1", `write ">3.1"`},
		{"≥ 3.1, ≤ 3.4.x", `written in ASCII, ">= 3.1, <= 3.4.x", the constraint is still refused: "<= 3.4.x": a version has no wildcard; write "<= 3.4"`},
		{"3.1,", `empty clause: commas separate clauses, and one has nothing on one side; write "3.1"`},
		{",3.1", `write "3.1"`},
		{">= 3.1,, < 3.4", `write ">= 3.1, < 3.4"`},
		{">= 3.1 , , < 3.4 ,", `write ">= 3.1, < 3.4"`},
		{",", `empty clause: commas separate clauses such as ">= 3.1, < 3.4"`},
		{"3!1.0", `version epochs (N!) are not supported, and no Prefect release has one: write "1.0"`},
		{">= 0!3.1", `write "3.1"`},
		{"1!2!3.0", "version epochs (N!) are not supported"},
	} {
		_, err := ParseConstraint(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v\nwant it to contain %s", c.in, err, c.want)
		}
	}
}

// A word for "any version", quotes inside the value, semicolons for
// commas and a wheel's "cp3.12" say what to write.
func TestRedteam56uWordsQuotesAndSemicolons(t *testing.T) {
	for _, c := range []struct {
		python   bool
		in, want string
	}{
		{false, "*", `"*" is not a version; to allow any version, leave the attribute out (or null)`},
		{false, "any", `to allow any version, leave the attribute out (or null)`},
		{true, "*", `to allow any version, leave the attribute out (or null)`},
		{false, "stable", `"stable" is not a version; leave the attribute out (or null) for any stable release: prereleases come only with allow_prereleases`},
		{false, `"3.1"`, `the value holds quotes of its own; write it without them, "3.1"`},
		{false, `'>= 3.1', '< 3.4'`, `write it without them, ">= 3.1, < 3.4"`},
		{true, `"3.12"`, `write it without them, "3.12"`},
		{false, ">=3.1;<3.4", `separate clauses with commas, not semicolons: write ">=3.1,<3.4"`},
		{true, ">=3.10; <3.13", `write ">=3.10, <3.13"`},
		{true, "cp3.12", `"cp3.12" is a wheel's Python tag (CPython 3.12); python_version takes the version: write "3.12"`},
	} {
		var err error
		if c.python {
			_, err = ParsePythonConstraint(c.in)
		} else {
			_, err = ParseConstraint(c.in)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v\nwant it to contain %s", c.in, err, c.want)
		}
	}
}
