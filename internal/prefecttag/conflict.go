package prefecttag

// Conflict reports whether no version at all, prerelease or not, meets c,
// and then the fewest of its clauses that already exclude every version, as
// written: two where two do (">= 3.4" and "< 3.1"), else three, else all.
// Prereleases count as allowed, so a constraint only prereleases meet
// (">= 3.1.0rc1, < 3.1.0rc5") has no conflict; one that PEP 440's
// exclusive bounds leave empty (">= 3.1.0rc1, < 3.1.0": "< 3.1.0" admits no
// prerelease of 3.1.0) has. It reads the constraint alone: no registry, no
// tag list. The zero Constraint has no conflict.
//
// Emptiness is decided exactly: each clause admits a union of ranges of
// the PEP 440 order whose ends are its own version or a neighbour of it
// (one more or one less in a release, prerelease, post or dev number, or
// a release raised in one place, as "~> 3.1" and "==3.1.*" end at 4 and
// 3.2), so a set of clauses that some version meets is met by one of
// those neighbours, and each is tried.
func (c Constraint) Conflict() ([]string, bool) { return conflict(c.clauses, versionCandidates) }

// OnlyPrereleases reports whether some version meets c but only
// prereleases do, none of them named exactly in an equality: without
// allow_prereleases such a constraint matches nothing (">= 3.1.0rc1,
// < 3.1.0rc5"), which Allows with allowPrereleases false tells one
// version at a time.
func (c Constraint) OnlyPrereleases() bool {
	if len(c.clauses) == 0 {
		return false
	}
	if _, empty := c.Conflict(); empty {
		return false
	}
	only := true
	versionCandidates(c.clauses, func(v Version) bool {
		only = !c.Allows(v, false)
		return only
	})
	return only
}

// Conflict reports whether no Python (major.minor) meets p, and then the
// fewest of its clauses that already exclude every Python, as Constraint's
// Conflict: ">= 3.12, < 3.10" names both.
func (p PythonConstraint) Conflict() ([]string, bool) { return conflict(p.c.clauses, pythonCandidates) }

// conflict finds the smallest subset of cs (by size, then by position)
// that no candidate meets. The candidates of all of cs serve each subset:
// a subset's own are among them, and any other is a version too. Each
// candidate is read once, into the set of clauses it meets.
func conflict(cs []clause, candidates func([]clause, func(Version) bool)) ([]string, bool) {
	if len(cs) == 0 || len(cs) > 64 {
		return nil, false
	}
	full := uint64(1)<<len(cs) - 1
	met := map[uint64]bool{}
	candidates(cs, func(v Version) bool {
		var m uint64
		for i := range cs {
			if cs[i].allows(v) {
				m |= 1 << i
			}
		}
		met[m] = true
		return m != full
	})
	if met[full] {
		return nil, false
	}
	empty := func(sub uint64) bool {
		for m := range met {
			if m&sub == sub {
				return false
			}
		}
		return true
	}
	texts := func(sub uint64) []string {
		var out []string
		for i := range cs {
			if sub&(1<<i) != 0 {
				out = append(out, cs[i].text)
			}
		}
		return out
	}
	n := len(cs)
	for i := range n {
		if empty(1 << i) {
			return texts(1 << i), true
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			if sub := uint64(1)<<i | 1<<j; empty(sub) {
				return texts(sub), true
			}
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			for k := j + 1; k < n; k++ {
				if sub := uint64(1)<<i | 1<<j | 1<<k; empty(sub) {
					return texts(sub), true
				}
			}
		}
	}
	return texts(full), true
}

// meetsAll returns the first candidate every clause allows.
func meetsAll(cs []clause, candidates func([]clause, func(Version) bool)) (w Version, found bool) {
	candidates(cs, func(v Version) bool {
		for i := range cs {
			if !cs[i].allows(v) {
				return true
			}
		}
		w, found = v, true
		return false
	})
	return w, found
}

// far is a number above every number a constraint names in practice; it
// stands for "anything above" in the candidates.
const far = 1 << 30

// around is n, its neighbours, 0 and far.
func around(n int) []int {
	out := []int{0, n, n + 1, far}
	if n > 0 {
		out = append(out, n-1)
	}
	return out
}

// versionCandidates yields the versions near each clause's version where
// a range of versions the clauses admit can begin or end, each clause's own
// version first, until yield returns false.
func versionCandidates(cs []clause, yield func(Version) bool) {
	for i := range cs {
		if !yield(cs[i].v) {
			return
		}
	}
	for i := range cs {
		v := cs[i].v
		var base [maxRelease]int
		for k := range maxRelease {
			base[k] = v.seg(k)
		}
		releases := [][maxRelease]int{base, {}, {far}}
		for k := range maxRelease {
			up := base
			up[k]++
			for m := k + 1; m < maxRelease; m++ {
				up[m] = 0
			}
			releases = append(releases, up)
			if base[k] > 0 {
				down := base
				down[k]--
				for m := k + 1; m < maxRelease; m++ {
					down[m] = far
				}
				releases = append(releases, down)
			}
		}
		type pre struct {
			kind preKind
			n    int
		}
		pres := []pre{{}}
		for k := preAlpha; k <= preRC; k++ {
			for _, n := range around(v.preN) {
				pres = append(pres, pre{k, n})
			}
		}
		posts := append([]int{-1}, around(v.post)...)
		devs := append([]int{-1}, around(v.dev)...)
		for _, r := range releases {
			for _, p := range pres {
				for _, post := range posts {
					for _, dev := range devs {
						if !yield(Version{rel: r, n: maxRelease, pre: p.kind, preN: p.n,
							hasPost: post >= 0, post: max(post, 0), hasDev: dev >= 0, dev: max(dev, 0)}) {
							return
						}
					}
				}
			}
		}
	}
}

// pythonCandidates yields the Pythons (major.minor) near each clause's
// version, every Python a clause can begin or end a range at, until yield
// returns false.
func pythonCandidates(cs []clause, yield func(Version) bool) {
	majors, minors := []int{0, far}, []int{0, far}
	for i := range cs {
		majors = append(majors, around(cs[i].v.seg(0))...)
		minors = append(minors, around(cs[i].v.seg(1))...)
	}
	for _, m := range majors {
		for _, n := range minors {
			if !yield(Python{Major: m, Minor: n}.version()) {
				return
			}
		}
	}
}
