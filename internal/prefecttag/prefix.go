package prefecttag

import "strconv"

// ReleasePrefix returns a prefix that the name of every release tag the
// selector can pick starts with, so that a resolver may list only the tags
// with that prefix: "3.8" when every version the constraint allows is 3.8.z
// (a two-part prerelease such as 3.8rc1 included), "3." when every one is
// 3.y.z, and "" when the constraint allows more than one major version.
//
// Release tag names start with the version in its normalized form
// (ParseTag refuses any other), so a version with major X and minor Y is
// written "X.Y" followed by '.', 'a', 'b' or 'rc'. The prefix is derived
// from the clauses alone, and so holds with or without prereleases:
//
//   - "~> 3.8.0", "~=3.8.0", "==3.8.*", "3.8.4", "= 3.8": "3.8"
//   - "~> 2.20", "~=2.20", "==2.*": "2."
//   - ">= 3.8, < 3.9": "3.8"; ">= 3.1, < 4.0": "3." (a "<" bound admits no
//     prerelease of itself when it is none, so 4.0.0rc1 is out)
//   - "", "~> 3", ">= 3.1", "!= 3.2.0": ""
func (s Selector) ReleasePrefix() string {
	for k := 2; k >= 1; k-- {
		if fixed, ok := s.Versions.fixedRelease(k); ok {
			p := strconv.Itoa(fixed[0]) + "."
			if k == 2 {
				p += strconv.Itoa(fixed[1])
			}
			return p
		}
	}
	return ""
}

// fixedRelease returns the first k release numbers (k is 1 or 2) that
// every version c allows shares, when its clauses fix them.
func (c Constraint) fixedRelease(k int) ([2]int, bool) {
	prefixOf := func(v Version) [2]int {
		var p [2]int
		for i := range k {
			p[i] = v.seg(i)
		}
		return p
	}
	for i := range c.clauses {
		cl := &c.clauses[i]
		switch {
		case cl.op == opEQ && !cl.wildcard,
			cl.op == opEQ && cl.wildcard && cl.v.releaseLen() >= k,
			(cl.op == opTilde || cl.op == opCompat) && cl.v.releaseLen()-1 >= k:
			return prefixOf(cl.v), true
		}
	}
	// A lower bound (>=, >) and an upper one (<, <=): every version lies
	// between their first k numbers, both included; and below the upper
	// one's, when that is a plain "<" bound with zeros after position k
	// ("< 3.9" admits no 3.9.0rc1). So ">= 3.8.1, <= 3.8.5" and
	// ">= 3.8, < 3.9" fix 3.8, and ">= 3.1, < 4" fixes 3.
	for i := range c.clauses {
		lo := &c.clauses[i]
		if lo.op != opGE && lo.op != opGT {
			continue
		}
		for j := range c.clauses {
			hi := &c.clauses[j]
			if hi.op != opLT && hi.op != opLE {
				continue
			}
			l, h := prefixOf(lo.v), prefixOf(hi.v)
			if l == h {
				return l, true
			}
			zeroAfter := true
			for n := k; n < maxRelease; n++ {
				if hi.v.seg(n) != 0 {
					zeroAfter = false
				}
			}
			next := l
			next[k-1]++
			if hi.op == opLT && hi.v.isPlain() && zeroAfter && next == h {
				return l, true
			}
		}
	}
	return [2]int{}, false
}
