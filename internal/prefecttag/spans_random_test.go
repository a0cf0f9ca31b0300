package prefecttag

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// every release tag whose version a constraint allows (prereleases
// included) must lie in one of the selector's ReleaseSpans.
func TestReleaseSpansCoverEveryAllowedVersion(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	num := func() int {
		switch rng.IntN(4) {
		case 0:
			return rng.IntN(3)
		case 1:
			return rng.IntN(12)
		case 2:
			return rng.IntN(40)
		default:
			return rng.IntN(250)
		}
	}
	ver := func(n int, pre bool) string {
		s := fmt.Sprint(rng.IntN(4) + 1)
		for range n - 1 {
			s += fmt.Sprintf(".%d", num())
		}
		if pre {
			switch rng.IntN(5) {
			case 0:
				s += fmt.Sprintf("rc%d", rng.IntN(20))
			case 1:
				s += fmt.Sprintf("a%d", rng.IntN(3))
			case 2:
				s += fmt.Sprintf("b%d", rng.IntN(3))
			case 3:
				s += fmt.Sprintf(".dev%d", rng.IntN(9))
			case 4:
				s += fmt.Sprintf(".post%d", rng.IntN(3))
			}
		}
		return s
	}
	clause := func() string {
		ops := []string{"", "= ", ">= ", "> ", "< ", "<= ", "!= ", "~> "}
		pops := []string{"==", ">=", ">", "<", "<=", "!=", "~="}
		if rng.IntN(2) == 0 {
			o := ops[rng.IntN(len(ops))]
			return o + ver(rng.IntN(3)+1, rng.IntN(4) == 0)
		}
		o := pops[rng.IntN(len(pops))]
		if o == "==" && rng.IntN(2) == 0 {
			return "==" + ver(rng.IntN(2)+1, false) + ".*"
		}
		n := rng.IntN(3) + 1
		if o == "~=" && n < 2 {
			n = 2
		}
		return o + ver(n, rng.IntN(4) == 0)
	}
	var versions []Version
	for range 4000 {
		n := 3
		pre := rng.IntN(3) == 0
		if pre && rng.IntN(3) == 0 {
			n = 2
		}
		v, err := parseVersion(ver(n, pre))
		if err != nil {
			continue
		}
		versions = append(versions, v)
	}
	checked, bad := 0, 0
	for range 20000 {
		text := clause()
		if rng.IntN(2) == 0 {
			text += ", " + clause()
		}
		c, err := ParseConstraint(text)
		if err != nil {
			continue
		}
		spans := Selector{Versions: c}.ReleaseSpans()
		if spans == nil {
			continue
		}
		for _, v := range versions {
			if !c.Allows(v, true) {
				continue
			}
			checked++
			name := ReleaseTagName(v, Python{3, 12}, FlavorStandard)
			if tg, err := ParseTag(name); err != nil || tg.Kind != KindRelease {
				continue
			}
			in := false
			for _, s := range spans {
				if s.Contains(name) {
					in = true
				}
			}
			if !in {
				bad++
				if bad < 10 {
					t.Errorf("%q allows %s, but %s is in none of %v", text, v, name, spans)
				}
			}
		}
	}
	t.Logf("checked %d allowed (constraint, version) pairs, %d outside spans", checked, bad)
}
