package prefecttag

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// op is one comparison of a constraint clause.
type op uint8

const (
	opEQ     op = iota // "3.1.15", "= 3.1.15", "==3.1.15", "==3.1.*"
	opNE               // "!= 3.2.0", "!=3.1.*"
	opGT               // ">"
	opGE               // ">="
	opLT               // "<"
	opLE               // "<="
	opTilde            // Terraform "~>"
	opCompat           // PEP 440 "~="
)

// syntax records which of the two constraint languages a clause is written in.
type syntax uint8

const (
	syntaxShared    syntax = iota // >, >=, <, <=, != without a wildcard mean the same in both
	syntaxTerraform               // bare version, "=", "~>"
	syntaxPEP440                  // "==", "~=", wildcards
)

type clause struct {
	op       op
	v        Version
	wildcard bool // "==V.*" or "!=V.*": a prefix match on release numbers
	text     string
	syntax   syntax
}

// Constraint is a set of version clauses, separated by commas, all of which
// must hold. Each clause is either Terraform's or PEP 440's, with that
// language's meaning:
//
//   - "3.1.15", "= 3.1.15", "==3.1.15": equal, missing numbers being zeros
//     (3.1 == 3.1.0), as both go-version and PEP 440 compare.
//   - "==3.1.*" / "!=3.1.*" (PEP 440): the release starts, or does not start,
//     with 3.1.
//   - "!= V", "> V", ">= V", "< V", "<= V": ordered in PEP 440 order.
//   - "~> V" (Terraform, as hashicorp/go-version's constraintPessimistic):
//     ">= V" and, when V has n >= 2 release numbers, the first n-1 of them
//     fixed: "~> 3.1" is ">= 3.1, < 4.0", "~> 3.1.0" is ">= 3.1.0, < 3.2.0".
//     With one number go-version fixes nothing, so "~> 3" is ">= 3" (4.0.0
//     meets it). Unlike go-version, "~> 1.2.3.0" admits 1.2.3; no Prefect
//     version has four numbers.
//   - "~= V" (PEP 440): the same as "~> V", but V needs two release numbers.
//   - "===" (PEP 440 arbitrary equality) is rejected.
//
// Terraform-only clauses (bare, "=", "~>") and PEP 440-only clauses ("==",
// "~=", wildcards) may not be mixed in one string: such a string is more
// likely a mistake than a wish.
//
// Prereleases (a, b, rc, dev) are governed by Allows' allowPrereleases, the
// same way in both syntaxes; see Allows. The zero Constraint allows any
// version.
type Constraint struct {
	clauses []clause
	text    string
}

// ParseConstraint parses a Terraform or PEP 440 version constraint. The
// empty string (or only white space) means any version.
func ParseConstraint(s string) (Constraint, error) {
	cs, err := parseClauses(s)
	if err != nil {
		return Constraint{}, fmt.Errorf("invalid version constraint %q: %w", s, err)
	}
	return Constraint{clauses: cs, text: strings.TrimSpace(s)}, nil
}

func parseClauses(s string) ([]clause, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if err := lookalikeOperators(s, func(fixed string) error { _, err := parseClauses(fixed); return err }); err != nil {
		return nil, err
	}
	if err := strayPunctuation(s, func(fixed string) error { _, err := parseClauses(fixed); return err }); err != nil {
		return nil, err
	}
	parts := strings.Split(s, ",")
	if err := emptyClauses(parts); err != nil {
		return nil, err
	}
	cs := make([]clause, 0, len(parts))
	var tf, pep *clause
	for _, p := range parts {
		c, err := parseClause(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
		switch c.syntax {
		case syntaxTerraform:
			if tf == nil {
				tf = &cs[len(cs)-1]
			}
		case syntaxPEP440:
			if pep == nil {
				pep = &cs[len(cs)-1]
			}
		}
	}
	if tf != nil && pep != nil {
		return nil, fmt.Errorf("%q is Terraform syntax and %q is PEP 440 syntax; write the constraint in one of them, such as \"~> 3.1\" or \"~=3.1\"", tf.text, pep.text)
	}
	return cs, unmeetable(cs)
}

// unmeetable refuses clauses no version meets. An equality admits one
// version alone (3.1 and 3.1.0 being one), and every other clause reads
// each version equal to it as it reads the equality's own: so when another
// clause refuses that version, no version meets them all. Bare numbers
// ("3,1,15") are a version with commas for dots.
func unmeetable(cs []clause) error {
	for i := range cs {
		eq := &cs[i]
		if eq.op != opEQ || eq.wildcard {
			continue
		}
		for j := range cs {
			if other := &cs[j]; !other.allows(eq.v) {
				if dotted, ok := commasForDots(cs); ok {
					return fmt.Errorf("commas separate clauses, and no version is %q and %q at once; write the version with dots, %q", eq.text, other.text, dotted)
				}
				return fmt.Errorf("%q and %q cannot both hold, so no version meets the constraint; keep the one you mean", eq.text, other.text)
			}
		}
	}
	return nil
}

// commasForDots returns the clauses joined by dots when each is a bare
// number ("3", "1", "15") and the joined text is a version.
func commasForDots(cs []clause) (string, bool) {
	texts := make([]string, len(cs))
	for i, cl := range cs {
		if _, rest, ok := cutNumber(cl.text); !ok || rest != "" {
			return "", false
		}
		texts[i] = cl.text
	}
	dotted := strings.Join(texts, ".")
	_, err := parseVersion(dotted)
	return dotted, err == nil
}

// operators, longest first so that "==" is not read as "=" and a version.
var operators = []struct {
	text string
	op   op
	syn  syntax
}{
	{"===", 0, 0},
	{"==", opEQ, syntaxPEP440},
	{"!=", opNE, syntaxShared},
	{">=", opGE, syntaxShared},
	{"<=", opLE, syntaxShared},
	{"~>", opTilde, syntaxTerraform},
	{"~=", opCompat, syntaxPEP440},
	{"=>", 0, 0},
	{"=<", 0, 0},
	{">", opGT, syntaxShared},
	{"<", opLT, syntaxShared},
	{"=", opEQ, syntaxTerraform},
}

func parseClause(text string) (clause, error) {
	c := clause{text: text, op: opEQ, syntax: syntaxTerraform}
	if text == "" {
		return c, errors.New("empty clause: commas separate clauses such as \">= 3.1, < 3.4\"")
	}
	rest := text
	opText := ""
	for _, o := range operators {
		if strings.HasPrefix(rest, o.text) {
			switch o.text {
			case "===":
				return c, errors.New(`arbitrary equality "===" is not supported; use "==" or "="`)
			case "=>", "=<":
				return c, fmt.Errorf("unknown operator %q; did you mean %q?", o.text, string(o.text[1])+"=")
			}
			c.op, c.syntax, opText = o.op, o.syn, o.text
			rest = strings.TrimSpace(rest[len(o.text):])
			break
		}
	}
	if rest == "" {
		if opText == "" {
			return c, errors.New("empty clause")
		}
		return c, fmt.Errorf("%q needs a version after it", opText)
	}
	if err := xWildcardError(text, false); err != nil {
		return c, err
	}
	// An operator before the white space check: "> = 3.1" and "~ 3.1" are
	// operators gone wrong, not two versions in one clause.
	if isOperatorByte(rest[0]) {
		// The operator bytes with white space inside: "> =", "~ >".
		end := strings.IndexFunc(text, func(r rune) bool { return r > 0x7f || !isOperatorByte(byte(r)) && r != ' ' && r != '\t' })
		if end < 0 {
			end = len(text)
		}
		switch joined := strings.Join(strings.Fields(text[:end]), ""); joined {
		case "==", "!=", ">=", "<=", "~>", "~=", ">", "<", "=":
			return c, fmt.Errorf("%q: write %q with no white space inside it", text, joined)
		case "=>", "=<":
			return c, fmt.Errorf("unknown operator %q; did you mean %q?", strings.TrimSpace(text[:end]), joined[1:]+"=")
		}
		return c, unknownOperator(text, false)
	}
	if strings.ContainsAny(rest, " \t\n") {
		if err := spacedClauses(text, false); err != nil {
			return c, err
		}
		return c, fmt.Errorf("%q: one version per clause; separate clauses with commas, such as \">= 3.1, < 3.4\"", text)
	}
	if err := pythonForPrefect(rest); err != nil {
		return c, err
	}
	if base, ok := strings.CutSuffix(rest, ".*"); ok {
		// The version first, so that the operator advice below only
		// offers wildcards that parse.
		v, err := parseVersion(base)
		if err != nil {
			return c, clauseVersionError(text, base, err)
		}
		if !v.isPlain() {
			return c, fmt.Errorf("%q: a wildcard follows release numbers only, such as \"==3.1.*\"", text)
		}
		switch c.op {
		case opEQ, opNE:
			if opText == "" || opText == "=" {
				return c, fmt.Errorf("%q: a wildcard needs PEP 440's \"==\" or \"!=\", such as \"==%s\", or use Terraform's \"~> %s.0\"", text, rest, base)
			}
		default:
			return c, fmt.Errorf("%q: a wildcard (.*) only goes with \"==\" or \"!=\"", text)
		}
		c.v, c.wildcard, c.syntax = v, true, syntaxPEP440
		return c, nil
	}
	v, err := parseVersion(rest)
	if err != nil {
		return c, clauseVersionError(text, rest, err)
	}
	if c.op == opCompat && v.releaseLen() < 2 {
		return c, fmt.Errorf("%q: \"~=\" needs at least two release numbers, such as \"~=%s.0\"", text, rest)
	}
	c.v = v
	return c, nil
}

// isOperatorByte reports whether b can start or continue an operator,
// a known one or not ("^", "~").
func isOperatorByte(b byte) bool { return strings.IndexByte("~^=<>!", b) >= 0 }

// clauseVersionError names the clause, and the version too when it differs.
func clauseVersionError(clause, version string, err error) error {
	if clause == version {
		return fmt.Errorf("version %q: %w", version, err)
	}
	return fmt.Errorf("%q: version %q: %w", clause, version, err)
}

// String returns the constraint as written, trimmed; "" for any version.
func (c Constraint) String() string { return c.text }

// IsAny reports whether c allows every version (the empty constraint).
func (c Constraint) IsAny() bool { return len(c.clauses) == 0 }

// Same reports whether c and d hold the same clauses, in any order, where
// the two syntaxes' spellings of one clause count as one: an equality bare,
// "=" or "==", and "~>" or "~=" (Allows reads each pair alike). Versions
// count as written: "= 3.1" is not "= 3.1.0", since Exact and ShortExact
// read them apart. So constraints that are Same select the same versions,
// prereleases included, and are read alike everywhere.
func (c Constraint) Same(d Constraint) bool {
	return slices.Equal(c.canonical(), d.canonical())
}

// canonical is c's clauses in one spelling each, sorted.
func (c Constraint) canonical() []string {
	keys := make([]string, len(c.clauses))
	for i := range c.clauses {
		cl := &c.clauses[i]
		keys[i] = opKeys[cl.op] + cl.v.String()
		if cl.wildcard {
			keys[i] += ".*"
		}
	}
	slices.Sort(keys)
	return keys
}

var opKeys = [...]string{opEQ: "==", opNE: "!=", opGT: ">", opGE: ">=", opLT: "<", opLE: "<=", opTilde: "~=", opCompat: "~="}

// Allows reports whether v meets c.
//
// A prerelease (a, b, rc or dev part) is allowed only when allowPrereleases
// is true or the constraint names that exact prerelease in an equality
// ("3.0.0rc14", "= 3.0.0rc14", "==3.0.0rc14"). ">= 3.0.0rc14" does not name
// one: without allowPrereleases it admits 3.0.0 and later stables only.
//
// When prereleases are allowed they are ordered by PEP 440, and PEP 440's
// exclusive comparisons hold in both syntaxes: "< 3.4" admits no prerelease of
// 3.4 (3.4.0rc1, 3.4.0.dev2) unless the bound is itself a prerelease, and
// "> 3.1.15" admits no post release of 3.1.15 unless the bound is one.
// "~> 3.1" and "==3.1.*" admit 3.x and 3.1.x prereleases only, never 4.0.0rc1.
// So ">= 3.0.0rc1, < 3.0.0" admits nothing, as in pip and in go-version; to
// range over release candidates, bound them by a prerelease: "< 3.0.0rc99".
// A dev build sorts before its release: "~> 3.8.4" does not admit 3.8.4.dev6.
func (c Constraint) Allows(v Version, allowPrereleases bool) bool {
	if v.IsPrerelease() && !allowPrereleases && !c.namesExactly(v) {
		return false
	}
	for i := range c.clauses {
		if !c.clauses[i].allows(v) {
			return false
		}
	}
	return true
}

// namesExactly reports whether an equality clause names v itself.
func (c Constraint) namesExactly(v Version) bool {
	for i := range c.clauses {
		cl := &c.clauses[i]
		if cl.op == opEQ && !cl.wildcard && v.Compare(cl.v) == 0 {
			return true
		}
	}
	return false
}

func (cl *clause) allows(v Version) bool {
	switch cl.op {
	case opEQ:
		if cl.wildcard {
			return hasPrefix(v, cl.v, cl.v.releaseLen())
		}
		return v.Compare(cl.v) == 0
	case opNE:
		if cl.wildcard {
			return !hasPrefix(v, cl.v, cl.v.releaseLen())
		}
		return v.Compare(cl.v) != 0
	case opGT:
		if v.Compare(cl.v) <= 0 {
			return false
		}
		// PEP 440: ">V" excludes post releases of V unless V is one.
		return cl.v.isPostrelease() || !v.isPostrelease() || v.compareRelease(cl.v) != 0
	case opGE:
		return v.Compare(cl.v) >= 0
	case opLT:
		if v.Compare(cl.v) >= 0 {
			return false
		}
		// PEP 440: "<V" excludes prereleases of V unless V is one.
		return cl.v.IsPrerelease() || !v.IsPrerelease() || v.compareRelease(cl.v) != 0
	case opLE:
		return v.Compare(cl.v) <= 0
	case opTilde, opCompat:
		return v.Compare(cl.v) >= 0 && hasPrefix(v, cl.v, cl.v.releaseLen()-1)
	}
	return false
}

// hasPrefix reports whether v's first n release numbers equal p's, padding v
// with zeros ("==3.1.*" matches 3.1 and 3.1.0rc1).
func hasPrefix(v, p Version, n int) bool {
	for i := range n {
		if v.seg(i) != p.seg(i) {
			return false
		}
	}
	return true
}

// NamesOneVersion reports whether c holds an equality that is not a
// wildcard ("3.1.15", "= 3.1", "==3.1.15", "3.1.15, != 3.1.14"), so that
// at most one version meets it. Exact is narrower: it also wants a version
// a release tag could carry, and one clause alone.
func (c Constraint) NamesOneVersion() bool {
	for i := range c.clauses {
		if cl := &c.clauses[i]; cl.op == opEQ && !cl.wildcard {
			return true
		}
	}
	return false
}

// Exact returns the version when c is a single equality on a full version,
// one that a release tag could carry: three release numbers, or a
// prerelease, post or dev part (2.0b8). "= 3.1" is not exact, because
// "3.1-python3.12" would be the moving minor tag; a catalog still resolves it
// to 3.1.0.
func (c Constraint) Exact() (Version, bool) {
	if len(c.clauses) != 1 {
		return Version{}, false
	}
	cl := c.clauses[0]
	if cl.op != opEQ || cl.wildcard {
		return Version{}, false
	}
	if n := cl.v.releaseLen(); n == 3 || n == 2 && !cl.v.isPlain() {
		return cl.v, true
	}
	return Version{}, false
}

// ShortExact returns the version when c is one equality on a plain version
// of fewer than three release numbers ("3.4", "= 3.4", "==3.4", "3"). Both
// syntaxes read it as that version padded with zeros (3.4.0), while Prefect's
// tag 3.4-python3.12 moves with the newest 3.4.z: a reading worth a warning.
// A wildcard (==3.4.*), a prerelease (2.0b8) or a second clause is not short.
func (c Constraint) ShortExact() (Version, bool) {
	if len(c.clauses) != 1 {
		return Version{}, false
	}
	cl := c.clauses[0]
	if cl.op != opEQ || cl.wildcard || !cl.v.isPlain() || cl.v.releaseLen() >= 3 {
		return Version{}, false
	}
	return cl.v, true
}

// UnquotedReading returns X.D0 when c is a bare X.D with no operator and D a
// single digit from 1 to 9 ("2.2"): Terraform turns prefect_version = 2.20,
// written without quotes, into the number 2.2 and hands the provider "2.2".
// Only a bare version can have been a number.
func (c Constraint) UnquotedReading() (Version, bool) {
	v, ok := c.ShortExact()
	if !ok || v.releaseLen() != 2 || c.clauses[0].text != v.String() || v.rel[1] < 1 || v.rel[1] > 9 {
		return Version{}, false
	}
	v.rel[1] *= 10
	return v, true
}

// unknownOperator is the error of a clause whose operator is none of ours,
// with what to write for a caret or tilde range.
func unknownOperator(text string, python bool) error {
	return fmt.Errorf("unknown operator in %q; Terraform uses =, !=, >, >=, <, <=, ~> and PEP 440 uses ==, !=, >, >=, <, <=, ~=%s", text, rangeAdvice(text, python))
}

// rangeAdvice is what to write for a caret ("^3.1", npm's and Poetry's) or
// a lone tilde ("~3.1", npm's) range, in the constraint languages taken
// here (for python, as python_version takes them: no patch numbers); ""
// for anything else. It begins with "; ".
func rangeAdvice(text string, python bool) string {
	t := strings.TrimSpace(text)
	if len(t) < 2 || (t[0] != '^' && t[0] != '~') || t[1] == '>' || t[1] == '=' {
		return ""
	}
	base := strings.TrimSpace(t[1:])
	v, err := parseVersion(base)
	if err != nil || !v.isPlain() {
		return ""
	}
	var write string
	switch {
	case python && t[0] == '~' && v.releaseLen() == 2: // ~3.12: 3.12.z, Python 3.12
		write = strconv.Quote(base)
	case python && v.releaseLen() > 2:
		return ""
	case t[0] == '~' && v.releaseLen() <= 2: // ~3: >= 3, < 4; ~3.1: >= 3.1.0, < 3.2.0
		write = fmt.Sprintf(`"~> %s.0"`, base)
	case t[0] == '~': // ~3.1.2: >= 3.1.2, < 3.2.0
		write = fmt.Sprintf(`"~> %s"`, base)
	case v.seg(0) == 0: // ^0.x keeps the minor: >= 0.x, < 0.x+1
		write = fmt.Sprintf(`">= %s, < 0.%d"`, base, v.seg(1)+1)
	case v.releaseLen() == 2: // ^3.1: >= 3.1, < 4.0
		write = fmt.Sprintf(`"~> %s"`, base)
	default: // ^3.1.2: >= 3.1.2, < 4.0
		write = fmt.Sprintf(`">= %s, < %d.0"`, base, v.seg(0)+1)
	}
	kind := "a caret range (npm, Cargo, Poetry)"
	if t[0] == '~' {
		kind = "a tilde range (npm)"
	}
	return fmt.Sprintf("; %q is %s: write %s", t, kind, write)
}

// spacedClauses refuses a clause that is clauses without their commas
// (">=3.1 <3.4", ">= 3.1 < 3.4") or an npm hyphen range ("3.1 - 3.4"),
// saying what to write (for python, in Pythons); nil for any other clause.
func spacedClauses(text string, python bool) error {
	fields := strings.Fields(text)
	if len(fields) == 3 && fields[1] == "-" {
		lo, errLo := parseVersion(fields[0])
		hi, errHi := parseVersion(fields[2])
		if errLo != nil || errHi != nil || !lo.isPlain() || !hi.isPlain() {
			return nil
		}
		advice := fmt.Sprintf(`">= %s, <= %s"`, fields[0], fields[2])
		if hi.releaseLen() < 3 && !python {
			next := hi
			next.rel[hi.releaseLen()-1]++
			advice += fmt.Sprintf(` (%s at most) or ">= %s, < %s" (every %s.z)`, hi.String()+strings.Repeat(".0", 3-hi.releaseLen()), fields[0], next, fields[2])
		}
		return fmt.Errorf("%q is a hyphen range (npm); write %s", text, advice)
	}
	parts := spacedParts(fields)
	if parts == nil {
		return nil
	}
	if python {
		return pythonSpacedClauses(text, parts)
	}
	return fmt.Errorf("%q: separate clauses with commas: write %q", text, strings.Join(parts, ", "))
}

// spacedParts is fields as clauses, an operator alone joined to the
// version after it, when they are two or more clauses, one with an
// operator; nil otherwise.
func spacedParts(fields []string) []string {
	var parts []string
	operators := 0
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.Trim(f, "~^=<>!") == "" && i+1 < len(fields) {
			f += " " + fields[i+1]
			i++
		}
		if _, err := parseClause(f); err != nil {
			return nil
		}
		if isOperatorByte(f[0]) {
			operators++
		}
		parts = append(parts, f)
	}
	if len(parts) < 2 || operators == 0 {
		return nil
	}
	return parts
}

// pythonForPrefect refuses a Python written where a Prefect version goes
// ("python3.12", a tag's suffix), naming the attribute that takes it.
func pythonForPrefect(version string) error {
	lower := strings.ToLower(version)
	py, ok := strings.CutPrefix(lower, "python")
	if !ok {
		py, ok = strings.CutPrefix(lower, "py")
	}
	if !ok {
		return nil
	}
	if _, err := ParsePython(strings.TrimLeft(py, "-_ ")); err != nil {
		return nil
	}
	return fmt.Errorf("%q names a Python, not a Prefect version: write python_version = %q, and a Prefect version here, such as \"~> 3.4\"", version, strings.TrimLeft(py, "-_ "))
}

// lookalikes are characters that word processors and chat tools put where
// an ASCII operator goes, with the operator to write for each.
var lookalikes = strings.NewReplacer(
	"≥", ">=", "≤", "<=", "≠", "!=", "＝", "=", "～", "~", "﹥", ">", "﹤", "<", "＞", ">", "＜", "<",
)

// lookalikeOperators refuses a constraint written with a lookalike of an
// ASCII operator ("≥3.1", a non-breaking space), saying what to write;
// and, when parse refuses that too, why, so that one validate says all.
func lookalikeOperators(s string, parse func(string) error) error {
	fixed := lookalikes.Replace(s) // s itself, with no lookalike in it
	if fixed == s {
		return nil
	}
	var found []string
	for _, r := range s {
		if lookalikes.Replace(string(r)) != string(r) && !slices.Contains(found, strconv.QuoteRune(r)) {
			found = append(found, strconv.QuoteRune(r))
		}
	}
	what := fmt.Sprintf("%s is not an ASCII operator (a word processor's or chat tool's lookalike)", found[0])
	if len(found) > 1 {
		what = fmt.Sprintf("%s are not ASCII operators (a word processor's or chat tool's lookalikes)", strings.Join(found, " and "))
	}
	fixed = strings.TrimSpace(fixed)
	if err := parse(fixed); err != nil {
		return fmt.Errorf("%s, and written in ASCII, %q, the constraint is still refused: %w", what, fixed, err)
	}
	return fmt.Errorf("%s; write %q", what, fixed)
}

// emptyClauses refuses a comma with no clause on one side ("3.1,",
// ">= 3.1,, < 3.4"), saying what to write when clauses are left.
func emptyClauses(parts []string) error {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	if len(kept) == len(parts) {
		return nil
	}
	if len(kept) == 0 {
		return errors.New("empty clause: commas separate clauses such as \">= 3.1, < 3.4\"")
	}
	return fmt.Errorf("empty clause: commas separate clauses, and one has nothing on one side; write %q", strings.Join(kept, ", "))
}

// strayPunctuation refuses quotes inside the value (`"\"3.1\""`, from
// jsonencode or a copied snippet) and semicolons for commas (">=3.1;<3.4"),
// saying what to write when that parses; nil otherwise.
func strayPunctuation(s string, parse func(string) error) error {
	if strings.ContainsAny(s, "\"'`") {
		fixed := strings.TrimSpace(strings.NewReplacer("\"", "", "'", "", "`", "").Replace(s))
		if fixed != "" && parse(fixed) == nil {
			return fmt.Errorf("the value holds quotes of its own; write it without them, %q", fixed)
		}
	}
	if strings.Contains(s, ";") {
		fixed := strings.TrimSpace(strings.ReplaceAll(s, ";", ","))
		if parse(fixed) == nil {
			return fmt.Errorf("separate clauses with commas, not semicolons: write %q", fixed)
		}
	}
	return nil
}
