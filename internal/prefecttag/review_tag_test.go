package prefecttag_test

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/selectref"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

const (
	refPy = `python((?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))`
	refFl = `(?:-(conda|kubernetes))?`
	refN  = `(0|[1-9][0-9]*)`
)

var refGrammar = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"sha", regexp.MustCompile(`^sha-[0-9a-f]{7}-` + refPy + refFl + `$`)},
	{"latest", regexp.MustCompile(`^` + refN + `-latest(?:-` + refPy + `)?` + refFl + `$`)},
	{"minor", regexp.MustCompile(`^(` + refN + `\.` + refN + `)-` + refPy + refFl + `$`)},
	{"major", regexp.MustCompile(`^` + refN + `-` + refPy + refFl + `$`)},
}

// refKind classifies a tag by PREFECT_TAGS.md's grammar, written apart
// from ParseTag: "" when it is no Prefect image tag. It returns the kind,
// the version text (release, minor: X.Y, major and latest: X), the Python
// and the flavor.
func refKind(s string) (kind, version, python, flavor string) {
	for _, r := range refGrammar {
		m := r.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		switch r.kind {
		case "sha":
			return "sha", "", m[1], m[2]
		case "latest":
			return "latest", m[1], m[2], m[3]
		case "minor":
			return "minor", m[1], m[4], m[5]
		default:
			return "major", m[1], m[2], m[3]
		}
	}
	if t, ok := selectref.ParseReleaseTag(s); ok {
		f := t.Flavor
		if f == "standard" {
			f = ""
		}
		return "release", t.V.Text, strconv.Itoa(t.PyMajor) + "." + strconv.Itoa(t.PyMin), f
	}
	return "", "", "", ""
}

// ParseTag classifies every catalog tag, and random mutations of them, as
// the grammar does: the same kind, version, Python and flavor, or an error
// exactly where the grammar has no tag.
func TestReviewParseTagMatchesGrammar(t *testing.T) {
	names := append(tagcatalog.Prefect(), tagcatalog.PrefectClient()...)
	names = append(names, selectref.ExtraTags...)
	r := rand.New(rand.NewPCG(5, 6))
	const alphabet = "0123456789.-abcdeilnoprstvyhkx"
	n := len(names)
	for range 60000 {
		b := []byte(names[r.IntN(n)])
		for range 1 + r.IntN(2) {
			i := r.IntN(len(b) + 1)
			c := alphabet[r.IntN(len(alphabet))]
			switch r.IntN(3) {
			case 0:
				b = append(b[:i], append([]byte{c}, b[i:]...)...)
			case 1:
				if i < len(b) {
					b = append(b[:i], b[i+1:]...)
				}
			default:
				if i < len(b) {
					b[i] = c
				}
			}
		}
		names = append(names, string(b))
	}
	bad := 0
	for _, s := range names {
		kind, version, python, flavor := refKind(s)
		tg, err := prefecttag.ParseTag(s)
		var got [4]string
		if err == nil {
			got = [4]string{string(tg.Kind), "", "", ""}
			if tg.HasVersion {
				got[1] = tg.Version.String()
			}
			if tg.HasPython {
				got[2] = tg.Python.String()
			}
			if tg.Flavor != prefecttag.FlavorStandard {
				got[3] = string(tg.Flavor)
			}
		}
		if want := [4]string{kind, version, python, flavor}; got != want {
			bad++
			if bad <= 15 {
				t.Errorf("ParseTag(%q) = %q (err %v), grammar says %q", s, got, err, want)
			}
		}
	}
	t.Logf("%d tags, %d differ", len(names), bad)
}
