package prefecttag

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A constraint no version meets is told by the two clauses that exclude
// each other, decided from the constraint alone; a constraint some
// version meets, prerelease or not, has no conflict.
func TestConstraintConflict(t *testing.T) {
	for _, tt := range []struct {
		python bool
		in     string
		want   []string // nil: some version meets it
	}{
		{false, ">= 3.4, < 3.1", []string{">= 3.4", "< 3.1"}},
		{false, "> 3.1, < 3.1", []string{"> 3.1", "< 3.1"}},
		{false, ">3.1,<=3.1", []string{">3.1", "<=3.1"}},
		{false, "~> 3.1, >= 4", []string{"~> 3.1", ">= 4"}},
		{false, "~> 3.1.0, >= 3.2", []string{"~> 3.1.0", ">= 3.2"}},
		{false, "~=3.1.2, <3.1.2", []string{"~=3.1.2", "<3.1.2"}},
		{false, "==3.1.*, ==3.2.*", []string{"==3.1.*", "==3.2.*"}},
		{false, "==3.1.*, !=3.1.*", []string{"==3.1.*", "!=3.1.*"}},
		{false, "==3.*, >=4", []string{"==3.*", ">=4"}},
		{false, ">= 3.1, ~> 2.0", []string{">= 3.1", "~> 2.0"}},
		{false, ">= 3.0, != 3.2.0, < 3.0", []string{">= 3.0", "< 3.0"}},
		// PEP 440: "< 3.1.0" admits no prerelease of 3.1.0, so nothing
		// lies between 3.1.0rc1 and 3.1.0 for it.
		{false, ">= 3.1.0rc1, < 3.1.0", []string{">= 3.1.0rc1", "< 3.1.0"}},
		// Only a clause's neighbours lie between: 3.1.0.dev1 and .dev2.
		{false, "> 3.1.0.dev1, < 3.1.0.dev2", []string{"> 3.1.0.dev1", "< 3.1.0.dev2"}},
		// Three clauses, no two of which exclude each other.
		{false, ">= 3.1.0, <= 3.1.0, != 3.1.0", []string{">= 3.1.0", "<= 3.1.0", "!= 3.1.0"}},
		{true, ">= 3.12, < 3.10", []string{">= 3.12", "< 3.10"}},
		{true, "==3.11.*, ==3.12.*", []string{"==3.11.*", "==3.12.*"}},
		{true, "> 3.12, < 3.13", []string{"> 3.12", "< 3.13"}},
		{true, "~> 3.11, < 3", []string{"~> 3.11", "< 3"}},
		// Met by some version.
		{false, "", nil},
		{false, ">= 3.1, < 3.4", nil},
		{false, ">= 3.1.0rc1, < 3.1.0rc5", nil},
		{false, ">= 3.1.0rc1, <= 3.1.0", nil},
		// PEP 440: "> 3.1" admits no post release of 3.1.
		{false, "> 3.1, <= 3.1.0.post1", []string{"> 3.1", "<= 3.1.0.post1"}},
		{false, "> 3.1.0.post0, <= 3.1.0.post1", nil},
		{false, "> 3.1.0.dev1, < 3.1.0.dev3", nil},
		{false, "> 3.1.0, < 3.1.1", nil}, // 3.1.0.1, 3.1.1.dev0
		{false, "~> 3.1, != 3.1.0", nil},
		{false, "==3.1.*, !=3.1.0", nil},
		{false, "> 3.1.15, < 3.1.16", nil},
		{false, ">= 3.0, != 3.2.0, < 3.3", nil},
		{false, "> 3", nil},
		{true, ">= 3.10, < 3.13", nil},
		{true, "> 3.12, <= 3.13", nil},
		{true, "==3.*, !=3.12.*", nil},
	} {
		var got []string
		var empty bool
		if tt.python {
			p, err := ParsePythonConstraint(tt.in)
			if err != nil {
				t.Fatalf("%q: %v", tt.in, err)
			}
			got, empty = p.Conflict()
		} else {
			c, err := ParseConstraint(tt.in)
			if err != nil {
				t.Fatalf("%q: %v", tt.in, err)
			}
			got, empty = c.Conflict()
		}
		if empty != (tt.want != nil) || !slices.Equal(got, tt.want) {
			t.Errorf("%q: Conflict() = %q, %v; want %q", tt.in, got, empty, tt.want)
		}
	}
}

// A constraint only prereleases meet matches nothing without
// allow_prereleases, unless an equality names the prerelease.
func TestConstraintOnlyPrereleases(t *testing.T) {
	for in, want := range map[string]bool{
		">= 3.1.0rc1, < 3.1.0rc5":    true,
		"> 3.1.0.dev1, < 3.1.0.dev3": true,
		">= 3.1.0rc1, <= 3.1.0":      false,
		"3.0.0rc14":                  false, // named exactly
		"==3.1.*":                    false,
		">= 3.4, < 3.1":              false, // empty: Conflict says so
		"~=3.1.0rc1, <3.1.0":         false, // empty too: "<3.1.0" admits no prerelease of 3.1.0
		"":                           false,
	} {
		c, err := ParseConstraint(in)
		if err != nil {
			continue
		}
		if got := c.OnlyPrereleases(); got != want {
			t.Errorf("%q: OnlyPrereleases() = %v, want %v", in, got, want)
		}
	}
}

// grid is every version of a small space: releases of three numbers up
// to 4 (and one of four), each bare and with a, rc, post and dev parts.
func grid() []Version {
	var out []Version
	type suffix struct {
		pre     preKind
		preN    int
		hasPost bool
		post    int
		hasDev  bool
		dev     int
	}
	var sufs []suffix
	for _, p := range []struct {
		k preKind
		n int
	}{{preNone, 0}, {preAlpha, 0}, {preAlpha, 1}, {preBeta, 1}, {preRC, 0}, {preRC, 1}, {preRC, 2}} {
		for _, post := range []int{-1, 0, 1} {
			for _, dev := range []int{-1, 0, 1, 2} {
				sufs = append(sufs, suffix{p.k, p.n, post >= 0, max(post, 0), dev >= 0, max(dev, 0)})
			}
		}
	}
	for a := range 5 {
		for b := range 5 {
			for c := range 5 {
				for _, d := range []int{0, 1} {
					for _, s := range sufs {
						out = append(out, Version{rel: [maxRelease]int{a, b, c, d}, n: 4, pre: s.pre, preN: s.preN,
							hasPost: s.hasPost, post: s.post, hasDev: s.hasDev, dev: s.dev})
					}
				}
			}
		}
	}
	return out
}

var theGrid = grid()

// checkConflict compares Conflict with brute force: a version of the grid
// that meets c means no conflict; no conflict means a candidate meets c
// (the witness is checked); a conflict's clauses must exclude every
// version of the grid themselves.
func checkConflict(t *testing.T, s string, python bool) {
	var cs []clause
	if python {
		p, err := ParsePythonConstraint(s)
		if err != nil {
			return
		}
		cs = p.c.clauses
	} else {
		c, err := ParseConstraint(s)
		if err != nil {
			return
		}
		cs = c.clauses
	}
	cands := versionCandidates
	if python {
		cands = pythonCandidates
	}
	if len(cs) == 0 {
		return // any version
	}
	names, empty := conflict(cs, cands)
	meets := func(v Version, sub []clause) bool {
		if python && (!v.isPlain() || v.seg(2) != 0 || v.seg(3) != 0) {
			return false // no Python has such a version
		}
		for i := range sub {
			if !sub[i].allows(v) {
				return false
			}
		}
		return true
	}
	if !python {
		c := Constraint{clauses: cs}
		if c.OnlyPrereleases() {
			for _, v := range theGrid {
				if c.Allows(v, false) {
					t.Fatalf("%q: only prereleases, but %s meets it without them", s, v)
				}
			}
		} else if _, ok := meetsAll(cs, func(cs []clause, yield func(Version) bool) {
			versionCandidates(cs, func(v Version) bool { return !c.Allows(v, false) || yield(v) })
		}); !empty && !ok {
			t.Fatalf("%q: not only prereleases, but no candidate meets it without them", s)
		}
	}
	if !empty {
		w, ok := meetsAll(cs, cands)
		if !ok || !meets(w, cs) {
			t.Fatalf("%q: no conflict, but no version meets it (witness %v, %v)", s, w, ok)
		}
		return
	}
	var sub []clause
	for _, cl := range cs {
		if slices.Contains(names, cl.text) {
			sub = append(sub, cl)
		}
	}
	for _, v := range theGrid {
		if meets(v, cs) {
			t.Fatalf("%q: conflict %q, but %s meets it", s, names, v)
		}
		if meets(v, sub) {
			t.Fatalf("%q: conflict %q, but %s meets those clauses", s, names, v)
		}
	}
}

func FuzzConstraintConflict(f *testing.F) {
	for _, s := range []string{
		">= 3.4, < 3.1", "> 3.1, < 3.1", "~> 3.1, >= 4", "==3.1.*, ==3.2.*", ">= 3.1.0rc1, < 3.1.0",
		">= 3.1.0rc1, < 3.1.0rc2", "> 3.1.0.dev1, < 3.1.0.dev2", "> 3.1, <= 3.1.0.post1", "~=2.1.2, !=2.1.*",
		">= 3.1.0, <= 3.1.0, != 3.1.0", "> 1.2.3.post0, < 1.2.3.post1", "> 1.2.3a1, < 1.2.3a1.post0",
		"", "!=1.*, ==1.2.*", "~> 2, < 3", "> 2.0.0.1, < 2.0.1.dev0", "<= 0.dev0, != 0.dev0",
	} {
		f.Add(s, false)
	}
	for _, s := range []string{">= 3.12, < 3.10", "==3.1.*, ==3.2.*", "> 3.1, < 3.2", "> 3.1, <= 3.2", "~> 3.4, != 3.4.*, < 4"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, python bool) {
		if len(s) > 80 || strings.Count(s, ",") > 4 {
			return
		}
		checkConflict(t, s, python)
	})
}

// Random constraints over the grid's numbers, so that brute force sees
// each range the clauses leave.
func TestConstraintConflictBruteForce(t *testing.T) {
	ops := []string{"==", "!=", ">", ">=", "<", "<=", "~=", "==", "!="}
	vers := []string{"1", "1.2", "1.2.3", "1.2.3rc1", "1.2.3a0", "1.2.3.post1", "1.2.3.dev1", "1.2.3rc1.dev0",
		"2.0", "1.2.3.1", "1.3", "0.dev1", "2.0rc2.post0", "1.2.3.post0.dev2"}
	seed := uint64(1)
	next := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	emptyCount := 0
	for range 5000 {
		var parts []string
		for range 2 + next(2) {
			op, v := ops[next(len(ops))], vers[next(len(vers))]
			if next(4) == 0 && !strings.ContainsAny(v, "abrcdepost") && (op == "==" || op == "!=") {
				v += ".*"
			}
			parts = append(parts, op+v)
		}
		s := strings.Join(parts, ", ")
		checkConflict(t, s, false)
		if c, err := ParseConstraint(s); err == nil {
			if _, e := c.Conflict(); e {
				emptyCount++
			}
		}
	}
	t.Logf("%d of 5000 with a conflict", emptyCount)
	if emptyCount == 0 {
		t.Fatal("no conflict drawn: the test proves nothing")
	}
	_ = fmt.Sprint
}
