package prefecttag

import (
	"errors"
	"fmt"
	"strings"
)

// PythonConstraint selects Pythons: exact ("3.12", "==3.12", "= 3.12") or a
// constraint in either syntax (">= 3.11", "~> 3.11", ">=3.10,<3.13",
// "==3.*", "==3.12.*", ">=3.9, !=3.11.*", "~=3.11"), with Constraint's
// meanings. Every version in it is major.minor, or a bare major in an
// ordered comparison or a wildcard (">= 3", "~> 3", "==3.*"): tags never
// carry a Python patch number, so an exact "3.12" matches Python 3.12
// alone. The zero PythonConstraint allows any Python.
type PythonConstraint struct {
	c Constraint
}

// ParsePythonConstraint parses a python_version value; "" means any Python.
func ParsePythonConstraint(s string) (PythonConstraint, error) {
	cs, err := parsePythonClauses(s)
	if err != nil {
		return PythonConstraint{}, fmt.Errorf("invalid Python version constraint %q: %w", s, err)
	}
	return PythonConstraint{c: Constraint{clauses: cs, text: strings.TrimSpace(s)}}, nil
}

func parsePythonClauses(s string) ([]clause, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(t, "py") {
		return nil, errors.New(`write the version alone, such as "3.12"`)
	}
	if err := lookalikeOperators(s, func(fixed string) error { _, err := parsePythonClauses(fixed); return err }); err != nil {
		return nil, err
	}
	if err := strayPunctuation(s, func(fixed string) error { _, err := parsePythonClauses(fixed); return err }); err != nil {
		return nil, err
	}
	for _, part := range strings.Split(s, ",") {
		if err := wheelPythonTag(strings.TrimSpace(part)); err != nil {
			return nil, err
		}
	}
	if t == "latest" { // else a Prefect version's advice, about tags
		return nil, errors.New(`"latest" is no Python version; leave python_version out for the highest Python published for the release and flavor, or name one, such as "3.12"`)
	}
	// A bare wildcard ("3.12.*"): offer what python_version takes, not
	// Terraform's "~> 3.12.0" that parseClause offers a Prefect version.
	for _, part := range strings.Split(s, ",") {
		p := strings.TrimSpace(part)
		// An "x" wildcard ("3.12.x", ">= 3.x"): advice that python_version
		// takes, without the Terraform "~> 3.12.0" that names a patch.
		if err := xWildcardError(p, true); err != nil {
			return nil, err
		}
		// A hyphen range, clauses without commas, a caret or tilde
		// range: advice in Pythons, which have no patch numbers.
		if err := spacedClauses(p, true); err != nil {
			return nil, err
		}
		if rangeAdvice(p, true) != "" {
			return nil, unknownOperator(p, true)
		}
		base, ok := strings.CutSuffix(p, ".*")
		if !ok || strings.HasPrefix(p, "==") || strings.HasPrefix(p, "!=") {
			continue
		}
		v := strings.TrimSpace(strings.TrimPrefix(base, "="))
		if pv, err := parseVersion(v); err != nil || !pv.isPlain() {
			continue // parseClauses says what is wrong with the version
		}
		switch strings.Count(v, ".") {
		case 0:
			return nil, fmt.Errorf("%q: a wildcard needs PEP 440's \"==\" or \"!=\", such as \"==%s.*\"", p, v)
		case 1:
			return nil, fmt.Errorf("%q: a wildcard needs PEP 440's \"==\" or \"!=\", such as \"==%s.*\"; or name the Python alone, %q", p, v, v)
		}
	}
	cs, err := parseClauses(s)
	if err != nil {
		return nil, err
	}
	for _, cl := range cs {
		v := cl.v
		switch {
		case !v.isPlain():
			return nil, fmt.Errorf("%q: Python images have no prerelease, post or dev versions", cl.text)
		case v.releaseLen() > 2:
			return nil, fmt.Errorf("%q: image tags name Python as major.minor, such as \"3.12\", never a patch release", cl.text)
		// A wildcard of one or two numbers is taken: "==3.*", and "==3.12.*"
		// or "!=3.11.*", which python_requires writes for one minor and
		// which here means that minor's images, tags having no patch.
		case !cl.wildcard && (cl.op == opEQ || cl.op == opNE) && v.releaseLen() != 2:
			return nil, fmt.Errorf("%q: name a Python as major.minor, such as \"3.12\", or use a range such as \">= 3\"", cl.text)
		// "<= 3" is "<= 3.0" in both syntaxes: of Python 3 it admits 3.0
		// alone, which no Prefect image has, where "all of Python 3" is
		// what it looks like.
		case cl.op == opLE && v.releaseLen() == 1:
			return nil, fmt.Errorf("%q reads as \"<= %d.0\", so of Python %d it admits %d.0 alone, which no image has; for every Python %d write \"< %d\"", cl.text, v.seg(0), v.seg(0), v.seg(0), v.seg(0), v.seg(0)+1)
		}
	}
	return cs, nil
}

// Allows reports whether py meets p.
func (p PythonConstraint) Allows(py Python) bool {
	v := py.version()
	for i := range p.c.clauses {
		if !p.c.clauses[i].allows(v) {
			return false
		}
	}
	return true
}

// Exact returns the Python when p is a single equality ("3.12", "==3.12").
func (p PythonConstraint) Exact() (Python, bool) {
	if len(p.c.clauses) != 1 {
		return Python{}, false
	}
	cl := p.c.clauses[0]
	if cl.op != opEQ || cl.wildcard {
		return Python{}, false
	}
	return Python{Major: cl.v.seg(0), Minor: cl.v.seg(1)}, true
}

// IsAny reports whether p allows every Python (the empty constraint).
func (p PythonConstraint) IsAny() bool { return p.c.IsAny() }

// Same reports whether p and q hold the same clauses, as Constraint.Same.
func (p PythonConstraint) Same(q PythonConstraint) bool { return p.c.Same(q.c) }

// String returns the constraint as written, trimmed; "" for any Python.
func (p PythonConstraint) String() string { return p.c.text }

// xWildcardError refuses a clause whose version ends in an "x" wildcard
// ("2.20.x", ">= 3.1.x", python_version "3.12.x"), advising the clause in
// the user's own version and operator, in a form the attribute takes
// (python: a Python of at most two numbers). It returns nil for any other
// clause.
func xWildcardError(clause string, python bool) error {
	v, ok := strings.CutSuffix(clause, ".x")
	if !ok {
		v, ok = strings.CutSuffix(clause, ".X")
	}
	if !ok {
		return nil
	}
	base := strings.TrimLeft(v, "=!<>~")
	op := strings.TrimSpace(v[:len(v)-len(base)])
	base = strings.TrimSpace(base)
	n := strings.Count(base, ".") + 1
	if pv, err := parseVersion(base); err != nil || !pv.isPlain() || python && n > 2 {
		return nil // the version's own error says what is wrong
	}
	var advice string
	switch op {
	case "", "=", "==":
		switch {
		case !python:
			advice = fmt.Sprintf(`"==%s.*" (PEP 440) or "~> %s.0" (Terraform)`, base, base)
		case n == 2:
			advice = fmt.Sprintf(`%q or "==%s.*"`, base, base)
		default:
			advice = fmt.Sprintf(`">= %s" or "==%s.*"`, base, base)
		}
	case "!=":
		advice = fmt.Sprintf(`"!=%s.*"`, base)
	case "~>", "~=":
		if python && n == 2 {
			advice = fmt.Sprintf(`"%s %s"`, op, base)
		} else {
			advice = fmt.Sprintf(`"%s %s.0"`, op, base)
		}
	default: // >, >=, <, <=
		advice = fmt.Sprintf(`"%s %s"`, op, base)
	}
	return fmt.Errorf("%q: a version has no wildcard; write %s", clause, advice)
}

// wheelPythonTag refuses a wheel's or conda's Python tag ("cp312",
// "py312" being refused before), as pip and conda write Pythons, saying
// which Python to write; nil for anything else.
func wheelPythonTag(clause string) error {
	base := strings.TrimLeft(clause, "=!<>~ ")
	digits, ok := strings.CutPrefix(strings.ToLower(base), "cp")
	if !ok || len(digits) < 2 {
		return nil
	}
	// "cp312" as a wheel writes it, or "cp3.12".
	py := digits[:1] + "." + digits[1:]
	if strings.Contains(digits, ".") {
		py = digits
	} else if strings.Trim(digits, "0123456789") != "" {
		return nil
	}
	if _, err := parsePython(py); err != nil {
		return nil
	}
	op := strings.TrimSpace(clause[:len(clause)-len(base)])
	fixed := op + py
	if op != "" && !strings.HasPrefix(op, "=") || op == "=" {
		fixed = op + " " + py
	}
	return fmt.Errorf("%q is a wheel's Python tag (CPython %s); python_version takes the version: write %q", clause, py, fixed)
}

// pythonWithoutPatch is clause with its Python cut to major.minor, when
// that reads as the clause meant it: an image of Python 3.10 carries the
// newest 3.10.z, so "3.10.4", "==3.10.4", ">= 3.10.1" and "> 3.10.1"
// mean 3.10 (">=" for ">"), and a ".0" patch ("< 3.13.0") means the minor
// itself. A "<" or "<=" bound inside a minor has no image form: not ok.
func pythonWithoutPatch(clause string) (string, bool) {
	cl, err := parseClause(clause)
	if err != nil || cl.wildcard || !cl.v.isPlain() || cl.v.releaseLen() != 3 {
		return "", false
	}
	version := strings.TrimLeft(clause, "~^=<>! ")
	op := clause[:len(clause)-len(version)]
	mm := fmt.Sprintf("%d.%d", cl.v.seg(0), cl.v.seg(1))
	switch {
	case cl.op == opEQ, cl.op == opGE, cl.v.seg(2) == 0 && cl.op != opTilde && cl.op != opCompat:
		return op + mm, true
	case cl.op == opGT:
		return strings.Replace(op, ">", ">=", 1) + mm, true
	}
	return "", false
}

// pythonSpacedClauses is the error of a python_version of clauses without
// their commas (parts): what to write with the commas, and, when a clause
// is refused on its own too (a patch number), that as well, so that one
// validate says all that is wrong.
func pythonSpacedClauses(text string, parts []string) error {
	joined := strings.Join(parts, ", ")
	_, joinedErr := parsePythonClauses(joined)
	if joinedErr == nil {
		return fmt.Errorf("%q: separate clauses with commas: write %q", text, joined)
	}
	fixed := make([]string, len(parts))
	for i, p := range parts {
		fixed[i] = p
		if f, ok := pythonWithoutPatch(p); ok {
			fixed[i] = f
		}
	}
	if f := strings.Join(fixed, ", "); f != joined {
		if _, err := parsePythonClauses(f); err == nil {
			return fmt.Errorf("%q: separate clauses with commas, and name each Python as major.minor, as image tags do, never with a patch number: write %q", text, f)
		}
	}
	return fmt.Errorf("%q: separate clauses with commas (%q), and then: %w", text, joined, joinedErr)
}
