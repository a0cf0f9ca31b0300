// Package selectref is a small reference implementation of SPEC's selection
// rules, written apart from prefecttag for differential tests: PEP 440
// versions and ordering (after packaging's _cmpkey), Terraform and PEP 440
// constraint clauses as structured values (no parser: a test renders them to
// text for the production parser), and the selection itself, by brute force
// over every tag. The provider never imports it.
package selectref

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Version is a PEP 440 version in normal form, without epoch or local part.
type Version struct {
	Release []int
	Pre     string // "", "a", "b", "rc"
	PreN    int
	Post    int // -1: none
	Dev     int // -1: none
	Text    string
}

var versionRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)*)(?:(a|b|rc)([0-9]+))?(?:\.post([0-9]+))?(?:\.dev([0-9]+))?$`)

func noLeadingZero(s string) bool { return len(s) == 1 || s[0] != '0' }

// ParseVersion parses a normalized PEP 440 version; ok is false otherwise
// (leading zeros included).
func ParseVersion(s string) (Version, bool) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return Version{}, false
	}
	v := Version{Post: -1, Dev: -1, Text: s}
	for _, p := range strings.Split(m[1], ".") {
		if !noLeadingZero(p) {
			return Version{}, false
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, false
		}
		v.Release = append(v.Release, n)
	}
	num := func(s string) (int, bool) {
		if !noLeadingZero(s) {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	var ok bool
	if m[2] != "" {
		v.Pre = m[2]
		if v.PreN, ok = num(m[3]); !ok {
			return Version{}, false
		}
	}
	if m[4] != "" {
		if v.Post, ok = num(m[4]); !ok {
			return Version{}, false
		}
	}
	if m[5] != "" {
		if v.Dev, ok = num(m[5]); !ok {
			return Version{}, false
		}
	}
	return v, true
}

// MustVersion is ParseVersion that panics.
func MustVersion(s string) Version {
	v, ok := ParseVersion(s)
	if !ok {
		panic("selectref: bad version " + s)
	}
	return v
}

func (v Version) seg(i int) int {
	if i < len(v.Release) {
		return v.Release[i]
	}
	return 0
}

func compareRelease(a, b Version) int {
	for i := range max(len(a.Release), len(b.Release)) {
		if c := cmp.Compare(a.seg(i), b.seg(i)); c != 0 {
			return c
		}
	}
	return 0
}

// key follows packaging's _cmpkey: a dev release without pre or post sorts
// before every prerelease of its release; no pre (else) after them; no
// post before any post; no dev after any dev. Each part is a rank (which
// kind of part, or its absence) and the part's number, compared in turn,
// so that no number, however large, reaches into another rank: a100000
// stays below b0, rc1099511627776 below the final release, and
// rc1.dev1099511627776 below rc1.
func (v Version) key() [6]int {
	var preRank, preN int
	switch {
	case v.Pre == "" && v.Post < 0 && v.Dev >= 0:
		preRank = 0
	case v.Pre == "":
		preRank = 4
	default:
		preRank, preN = map[string]int{"a": 1, "b": 2, "rc": 3}[v.Pre], v.PreN
	}
	postRank, post := 0, 0
	if v.Post >= 0 {
		postRank, post = 1, v.Post
	}
	devRank, dev := 1, 0
	if v.Dev >= 0 {
		devRank, dev = 0, v.Dev
	}
	return [6]int{preRank, preN, postRank, post, devRank, dev}
}

// Compare orders versions as PEP 440 does.
func Compare(a, b Version) int {
	if c := compareRelease(a, b); c != 0 {
		return c
	}
	ka, kb := a.key(), b.key()
	for i := range ka {
		if c := cmp.Compare(ka[i], kb[i]); c != 0 {
			return c
		}
	}
	return 0
}

// IsPre reports an a, b, rc or dev part.
func (v Version) IsPre() bool { return v.Pre != "" || v.Dev >= 0 }

// IsPost reports a post part.
func (v Version) IsPost() bool { return v.Post >= 0 }

// Op is a clause operator, as written.
type Op string

// Clause is one comparison of a constraint.
type Clause struct {
	Op       Op // "", "=", "==", "!=", ">", ">=", "<", "<=", "~>", "~="
	V        Version
	Wildcard bool // ==V.* or !=V.*
}

func prefixEq(v, p Version, n int) bool {
	for i := range n {
		if v.seg(i) != p.seg(i) {
			return false
		}
	}
	return true
}

// Allows applies one clause, prerelease admission aside.
func (c Clause) Allows(v Version) bool {
	d := Compare(v, c.V)
	switch c.Op {
	case "", "=", "==":
		if c.Wildcard {
			return prefixEq(v, c.V, len(c.V.Release))
		}
		return d == 0
	case "!=":
		if c.Wildcard {
			return !prefixEq(v, c.V, len(c.V.Release))
		}
		return d != 0
	case ">":
		// PEP 440: no post release of V unless V is one.
		postOfV := v.IsPost() && !c.V.IsPost() && compareRelease(v, c.V) == 0
		return d > 0 && !postOfV
	case ">=":
		return d >= 0
	case "<":
		// PEP 440: no prerelease of V unless V is one.
		preOfV := v.IsPre() && !c.V.IsPre() && compareRelease(v, c.V) == 0
		return d < 0 && !preOfV
	case "<=":
		return d <= 0
	case "~>", "~=":
		// Terraform's ~> with one number (~> 3) fixes nothing, as
		// hashicorp/go-version (and Terraform's docs: only the rightmost
		// component increments) have it; with n numbers the first n-1.
		n := len(c.V.Release) - 1
		return d >= 0 && prefixEq(v, c.V, n)
	}
	panic("selectref: unknown op " + string(c.Op))
}

// Constraint is clauses that must all hold.
type Constraint []Clause

// Allows applies SPEC: a prerelease counts only with allowPre, or when an
// equality clause names it exactly.
func (cs Constraint) Allows(v Version, allowPre bool) bool {
	if v.IsPre() && !allowPre {
		named := false
		for _, c := range cs {
			if (c.Op == "" || c.Op == "=" || c.Op == "==") && !c.Wildcard && Compare(v, c.V) == 0 {
				named = true
			}
		}
		if !named {
			return false
		}
	}
	for _, c := range cs {
		if !c.Allows(v) {
			return false
		}
	}
	return true
}

// Unmeetable reports whether cs has an equality whose own version cs
// refuses with prereleases allowed: only versions equal to it can meet the
// equality, so no version meets cs, and the production parser refuses it.
func (cs Constraint) Unmeetable() bool {
	for _, c := range cs {
		if (c.Op == "" || c.Op == "=" || c.Op == "==") && !c.Wildcard && !cs.Allows(c.V, true) {
			return true
		}
	}
	return false
}

// Tag is a release tag.
type Tag struct {
	Name           string
	V              Version
	PyMajor, PyMin int
	Flavor         string
}

var tagRE = regexp.MustCompile(`^([0-9][0-9a-z.]*)-python([0-9]+)\.([0-9]+)(?:-(conda|kubernetes))?$`)

// ParseReleaseTag accepts release tags only: X.Y.Z with optional suffixes,
// or X.Y with a prerelease part; the Python as major.minor without leading
// zeros.
func ParseReleaseTag(s string) (Tag, bool) {
	m := tagRE.FindStringSubmatch(s)
	if m == nil || !noLeadingZero(m[2]) || !noLeadingZero(m[3]) {
		return Tag{}, false
	}
	v, ok := ParseVersion(m[1])
	if !ok {
		return Tag{}, false
	}
	switch {
	case len(v.Release) == 3:
	case len(v.Release) == 2 && (v.Pre != "" || v.Post >= 0 || v.Dev >= 0):
	default:
		return Tag{}, false
	}
	maj, err1 := strconv.Atoi(m[2])
	mn, err2 := strconv.Atoi(m[3])
	if err1 != nil || err2 != nil {
		return Tag{}, false
	}
	f := m[4]
	if f == "" {
		f = "standard"
	}
	return Tag{Name: s, V: v, PyMajor: maj, PyMin: mn, Flavor: f}, true
}

// Python constraint clause: Op and a major.minor (or major) bound.
type PyClause struct {
	Op       Op
	Major    int
	Minor    int
	HasMinor bool
	Wildcard bool
}

// Allows applies a Python clause to Python major.minor.
func (c PyClause) Allows(maj, mn int) bool {
	rel := []int{c.Major}
	if c.HasMinor {
		rel = append(rel, c.Minor)
	}
	cl := Clause{Op: c.Op, V: Version{Release: rel, Post: -1, Dev: -1}, Wildcard: c.Wildcard}
	return cl.Allows(Version{Release: []int{maj, mn}, Post: -1, Dev: -1})
}

// Selector is what a pin asks for.
type Selector struct {
	Versions Constraint
	Python   []PyClause
	Flavor   string // "" = standard
	AllowPre bool
}

func (s Selector) pyAllows(t Tag) bool {
	for _, c := range s.Python {
		if !c.Allows(t.PyMajor, t.PyMin) {
			return false
		}
	}
	return true
}

// Tags is a list of release tags parsed once; every other tag is passed over,
// and a duplicate counts once.
type Tags []Tag

// ParseTags keeps the release tags of names.
func ParseTags(names []string) Tags {
	var out Tags
	seen := map[string]bool{}
	for _, name := range names {
		if t, ok := ParseReleaseTag(name); ok && !seen[name] {
			seen[name] = true
			out = append(out, t)
		}
	}
	return out
}

// Select returns the tag SPEC picks among tags, by brute force: of the tags
// that meet the selector, the highest version, then the highest Python.
func (tags Tags) Select(s Selector) (string, bool) {
	f := s.Flavor
	if f == "" {
		f = "standard"
	}
	var best *Tag
	for i := range tags {
		t := &tags[i]
		if t.Flavor != f || !s.Versions.Allows(t.V, s.AllowPre) || !s.pyAllows(*t) {
			continue
		}
		if best == nil {
			best = t
			continue
		}
		d := Compare(t.V, best.V)
		if d == 0 {
			d = cmp.Or(cmp.Compare(t.PyMajor, best.PyMajor), cmp.Compare(t.PyMin, best.PyMin))
		}
		if d > 0 {
			best = t
		}
	}
	if best == nil {
		return "", false
	}
	return best.Name, true
}

// Releases returns, newest first, the versions (as their tags write them)
// with at least one tag the filter keeps; flavor "" is every flavor.
func (tags Tags) Releases(s Selector) []string {
	var kept []Tag
	for _, t := range tags {
		if (s.Flavor != "" && t.Flavor != s.Flavor) || !s.Versions.Allows(t.V, s.AllowPre) || !s.pyAllows(t) {
			continue
		}
		kept = append(kept, t)
	}
	slices.SortFunc(kept, func(a, b Tag) int { return Compare(b.V, a.V) })
	var out []string
	for i, t := range kept {
		if i > 0 && Compare(kept[i-1].V, t.V) == 0 {
			continue
		}
		out = append(out, t.V.Text)
	}
	return out
}

// String renders a version's text, built from its parts when Text is empty.
func (v Version) String() string {
	if v.Text != "" {
		return v.Text
	}
	parts := make([]string, len(v.Release))
	for i, n := range v.Release {
		parts[i] = strconv.Itoa(n)
	}
	s := strings.Join(parts, ".")
	if v.Pre != "" {
		s += v.Pre + strconv.Itoa(v.PreN)
	}
	if v.Post >= 0 {
		s += ".post" + strconv.Itoa(v.Post)
	}
	if v.Dev >= 0 {
		s += ".dev" + strconv.Itoa(v.Dev)
	}
	return s
}

// IsPlain reports release numbers only.
func (v Version) IsPlain() bool { return v.Pre == "" && v.Post < 0 && v.Dev < 0 }

// ReleaseImages returns, for each version Releases lists (as its tags
// write it), the names of its kept tags by Python (as numbers), then
// flavor: standard, conda, kubernetes.
func (tags Tags) ReleaseImages(s Selector) map[string][]string {
	flavorRank := map[string]int{"standard": 0, "conda": 1, "kubernetes": 2}
	var kept []Tag
	for _, t := range tags {
		if (s.Flavor != "" && t.Flavor != s.Flavor) || !s.Versions.Allows(t.V, s.AllowPre) || !s.pyAllows(t) {
			continue
		}
		kept = append(kept, t)
	}
	slices.SortFunc(kept, func(a, b Tag) int {
		return cmp.Or(-Compare(a.V, b.V), cmp.Compare(a.PyMajor, b.PyMajor), cmp.Compare(a.PyMin, b.PyMin), cmp.Compare(flavorRank[a.Flavor], flavorRank[b.Flavor]))
	})
	out := map[string][]string{}
	key := ""
	for i, t := range kept {
		if i == 0 || Compare(kept[i-1].V, t.V) != 0 {
			key = t.V.Text
		}
		out[key] = append(out[key], t.Name)
	}
	return out
}
