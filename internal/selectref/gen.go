package selectref

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Gen draws random selectors near the versions of a catalog, with their
// text as a user would write it.
type Gen struct {
	R        *rand.Rand
	Versions []Version // the catalog's, to draw bounds near
}

// NewGen returns a generator over the release versions found in tags.
func NewGen(seed uint64, tags []string) *Gen {
	g := &Gen{R: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	seen := map[string]bool{}
	for _, name := range tags {
		if t, ok := ParseReleaseTag(name); ok && !seen[t.V.Text] {
			seen[t.V.Text] = true
			g.Versions = append(g.Versions, t.V)
		}
	}
	return g
}

// version draws a bound: a catalog version, perhaps cut to fewer release
// numbers, nudged by one, or given (or stripped of) a pre, post or dev part.
func (g *Gen) version(plainOnly bool, minLen int) Version {
	base := g.Versions[g.R.IntN(len(g.Versions))]
	v := Version{Release: append([]int(nil), base.Release...), Pre: base.Pre, PreN: base.PreN, Post: base.Post, Dev: base.Dev}
	r := g.R
	if r.IntN(3) == 0 {
		n := 1 + r.IntN(3)
		for len(v.Release) > n {
			v.Release = v.Release[:len(v.Release)-1]
		}
		for len(v.Release) < n {
			v.Release = append(v.Release, 0)
		}
		v.Pre, v.Post, v.Dev = "", -1, -1
	}
	if r.IntN(5) == 0 {
		i := r.IntN(len(v.Release))
		v.Release[i] += r.IntN(3) - 1
		if v.Release[i] < 0 {
			v.Release[i] = 0
		}
	}
	if r.IntN(8) == 0 {
		v.Release = append(v.Release, 0) // trailing zero: 3.1.0.0
	}
	switch r.IntN(10) {
	case 0:
		v.Pre, v.PreN = []string{"a", "b", "rc"}[r.IntN(3)], r.IntN(21)
	case 1:
		v.Post = r.IntN(3)
	case 2:
		v.Dev = r.IntN(8)
	case 3:
		v.Pre, v.Post, v.Dev = "", -1, -1
	}
	if plainOnly {
		v.Pre, v.Post, v.Dev = "", -1, -1
	}
	for len(v.Release) < minLen {
		v.Release = append(v.Release, 0)
	}
	if len(v.Release) > 4 {
		v.Release = v.Release[:4]
	}
	v.Text = ""
	v.Text = v.String()
	return v
}

func (g *Gen) sp() string {
	if g.R.IntN(2) == 0 {
		return " "
	}
	return ""
}

// Constraint draws one to three clauses, all Terraform or all PEP 440
// (shared operators in both), and renders them.
func (g *Gen) Constraint() (Constraint, string) {
	r := g.R
	if r.IntN(12) == 0 {
		return nil, ""
	}
	pep := r.IntN(2) == 0
	n := 1 + r.IntN(2)
	if r.IntN(6) == 0 {
		n = 3
	}
	var cs Constraint
	var texts []string
	for range n {
		var c Clause
		var text string
		if pep {
			ops := []Op{"==", "==", "!=", ">", ">=", "<", "<=", "~=", "~="}
			c.Op = ops[r.IntN(len(ops))]
			if (c.Op == "==" || c.Op == "!=") && r.IntN(2) == 0 {
				c.V = g.version(true, 0)
				c.Wildcard = true
				text = string(c.Op) + g.sp() + c.V.String() + ".*"
			} else {
				min := 0
				if c.Op == "~=" {
					min = 2
				}
				c.V = g.version(false, min)
				text = string(c.Op) + g.sp() + c.V.String()
			}
		} else {
			ops := []Op{"", "=", "!=", ">", ">=", "<", "<=", "~>", "~>", "~>"}
			c.Op = ops[r.IntN(len(ops))]
			c.V = g.version(false, 0)
			if c.Op == "" {
				text = c.V.String()
			} else {
				text = string(c.Op) + g.sp() + c.V.String()
			}
		}
		cs = append(cs, c)
		texts = append(texts, text)
	}
	sep := []string{",", ", ", " , ", " ,"}[r.IntN(4)]
	return cs, strings.Join(texts, sep)
}

// Python draws a python_version: none, exact, or a constraint.
func (g *Gen) Python() ([]PyClause, string) {
	r := g.R
	mn := func() int { return 7 + r.IntN(9) } // 3.7 .. 3.15
	switch r.IntN(9) {
	case 0, 1, 2:
		return nil, ""
	case 8:
		a := mn()
		o := []Op{"==", "!="}[r.IntN(2)]
		return []PyClause{{Op: o, Major: 3, Minor: a, HasMinor: true, Wildcard: true}}, string(o) + "3." + strconv.Itoa(a) + ".*"
	case 3:
		m := mn()
		return []PyClause{{Op: "", Major: 3, Minor: m, HasMinor: true}}, "3." + strconv.Itoa(m)
	case 4:
		m := mn()
		return []PyClause{{Op: "==", Major: 3, Minor: m, HasMinor: true}}, "==3." + strconv.Itoa(m)
	case 5:
		ops := []Op{">", ">=", "<", "<=", "!=", "~>"}
		o := ops[r.IntN(len(ops))]
		m := mn()
		return []PyClause{{Op: o, Major: 3, Minor: m, HasMinor: true}}, string(o) + " 3." + strconv.Itoa(m)
	case 6:
		a, b := mn(), mn()
		return []PyClause{{Op: ">=", Major: 3, Minor: a, HasMinor: true}, {Op: "<", Major: 3, Minor: b, HasMinor: true}},
			">=3." + strconv.Itoa(a) + ",<3." + strconv.Itoa(b)
	default:
		a, b := mn(), mn()
		return []PyClause{{Op: ">=", Major: 3, Minor: a, HasMinor: true}, {Op: "!=", Major: 3, Minor: b, HasMinor: true}},
			">= 3." + strconv.Itoa(a) + ", != 3." + strconv.Itoa(b)
	}
}

// Flavor draws "", standard, conda or kubernetes.
func (g *Gen) Flavor() string {
	return []string{"", "", "standard", "conda", "kubernetes"}[g.R.IntN(5)]
}

// ExtraTags are tags Prefect never published but its grammar allows, and
// junk that selection must pass over: post releases, alphas and betas of
// three and two numbers, a dev build of a prerelease, minors and majors
// past the catalogs', and misspelled tags. Differential tests add them to
// the catalogs.
var ExtraTags = []string{
	"3.1.15.post1-python3.12", "3.1.15.post2-python3.11-conda", "3.1.15.post1.dev1-python3.13",
	"3.2.0a1-python3.12", "3.2.0b2-python3.12", "3.2.0b2-python3.12-kubernetes", "3.2.0rc1.dev2-python3.12",
	"2.0a3-python3.9", "2.0b8-python3.9", "2.0b8-python3.10-conda", "2.0rc1-python3.9", "3.9.0rc1-python3.14",
	"3.9.0.dev1-python3.14", "3.9.0a1-python3.13", "3.10.0-python3.12", "3.10.1rc1-python3.13",
	"3.100.0-python3.12", "2.150.0-python3.11", "4.0.0rc1-python3.12", "4.0.0.dev3-python3.14",
	"4.0.0-python3.13", "4.0.0-python3.13-conda", "10.0.0-python3.12", "1.4.1-python3.7", "0.15.13-python3.8",
	"3.1.15-rc1-python3.12", "v3.9.0-python3.12", "3.9.0-python3.12-standard", "latest", "3.9.0",
	"3.9.01-python3.12", "3.9.0-python3.012", "3.9-python3.14", "4-python3.14", "4-latest",
	"sha-abcdef0-python3.14", "2.105.1-python3.11-conda",
}
