package prefecttag

import "strconv"

// TagSpan is a lexical interval of tag names: those that sort after After
// and before Before, in byte order as registries sort their tag lists. An
// empty After or Before leaves that side open.
type TagSpan struct {
	After, Before string
	// Prefix is what every name in the span starts with ("3.8", "2."), ""
	// when the span has no such prefix beyond the major version's.
	Prefix string
}

// maxDigitSpans bounds the spans ReleaseSpans makes for minor versions with
// more digits than the constraint's lower bound (see there); beyond it, the
// whole major version is one span.
const maxDigitSpans = 10

// MaxReleaseSpans is the most spans ReleaseSpans returns: one for the
// minors from the lower bound's first digit on, and maxDigitSpans.
const MaxReleaseSpans = 1 + maxDigitSpans

// ReleaseSpans returns spans of tag names that together hold every release
// tag the selector can pick, so that a resolver may list only those: nil
// when the constraint allows more than one major version (list every
// release tag).
//
// Release tag names start with the version in its normalized form
// (ParseTag refuses any other): major, '.', minor, then '.', 'a', 'b' or
// 'rc'. Tag names use only letters, digits, '_', '.' and '-', all of which
// sort before '~'. The spans are derived from the clauses alone, and so
// hold with or without prereleases:
//
//   - Minor fixed ("~> 3.8.0", "==3.8.*", "3.7.8", ">= 3.8, < 3.9"): the
//     names starting "3.8".
//   - Major fixed, with a lower bound on the minor ("~> 2.20", ">= 2.20,
//     < 3"): the minors whose first digit is at least the bound's ("2.2" to
//     "2.9…"), and the minors with more digits than the bound whose first
//     digit is below it ("2.1dd…": one span per "2.1d"), up to
//     maxDigitSpans of those; else all of "2.".
//   - Major fixed otherwise ("~> 2.0", "==2.*"): the names starting "2.".
func (s Selector) ReleaseSpans() []TagSpan {
	if fixed, ok := s.Versions.fixedRelease(2); ok {
		return []TagSpan{prefixSpan(strconv.Itoa(fixed[0]) + "." + strconv.Itoa(fixed[1]))}
	}
	fixed, ok := s.Versions.fixedRelease(1)
	if !ok {
		return nil
	}
	major := strconv.Itoa(fixed[0]) + "."
	lo := s.Versions.minorLowerBound(fixed[0])
	if lo == 0 {
		return []TagSpan{prefixSpan(major)}
	}
	digits := strconv.Itoa(lo)
	first := digits[0]
	// Minors as long as lo with a smaller first digit are below lo; longer
	// ones are above it: first digit f, then len(digits)-1 digits w, then
	// at least one more digit.
	var longer []string
	longer = append(longer, "")
	for range len(digits) - 1 {
		var next []string
		for _, w := range longer {
			for d := '0'; d <= '9'; d++ {
				next = append(next, w+string(d))
			}
		}
		longer = next
		if len(longer) > maxDigitSpans {
			return []TagSpan{prefixSpan(major)}
		}
	}
	if int(first-'1')*len(longer) > maxDigitSpans {
		return []TagSpan{prefixSpan(major)}
	}
	spans := []TagSpan{{After: major + string(first-1) + "~", Before: major + "9~", Prefix: major}}
	for f := byte('1'); f < first; f++ {
		for _, w := range longer {
			p := major + string(f) + w
			spans = append(spans, TagSpan{After: p + "/", Before: p + ":", Prefix: p})
		}
	}
	return spans
}

// prefixSpan is the span of the names that start with p: from just before
// p (its last byte decremented, then '~') to p followed by '~'.
func prefixSpan(p string) TagSpan {
	return TagSpan{After: p[:len(p)-1] + string(p[len(p)-1]-1) + "~", Before: p + "~", Prefix: p}
}

// minorLowerBound returns the lowest minor a version with the given major
// can have under c, from its lower bounds (>=, >, ~>, ~=) on that major;
// 0 when it has none.
func (c Constraint) minorLowerBound(major int) int {
	lo := 0
	for i := range c.clauses {
		cl := &c.clauses[i]
		switch cl.op {
		case opGE, opGT, opTilde, opCompat:
			// v >= V (or > V) means v's release numbers are at least V's,
			// so a v of V's major has a minor of at least V's.
			if cl.v.seg(0) == major && cl.v.seg(1) > lo {
				lo = cl.v.seg(1)
			}
		}
	}
	return lo
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
