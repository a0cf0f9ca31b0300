package prefecttag_test

import (
	"slices"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/selectref"
)

// The reference of package selectref orders versions as prefecttag and
// PEP 440 do even where a prerelease or dev number is large: its keys once
// folded a prerelease's kind and number into one int (a100000 tied with
// b0) and used 1<<40 for "no dev part" and "final" (rc1.dev1099511627776
// tied with rc1; rc1099511627776 sorted after the final release), so a
// differential test over such tags blamed prefecttag for being right.
func TestRedteam54sReferenceOrdersLargeNumbers(t *testing.T) {
	pairs := [][2]string{ // lower, higher in PEP 440 order
		{"3.0.0a100000", "3.0.0b0"},
		{"3.0.0b100001", "3.0.0rc1"},
		{"3.0.0rc1.dev1099511627776", "3.0.0rc1"},
		{"3.0.0.dev1099511627776", "3.0.0a0"},
		{"3.0.0rc1099511627776", "3.0.0"},
		{"3.0.0.post1.dev1099511627776", "3.0.0.post1"},
	}
	for _, p := range pairs {
		lo, hi := selectref.MustVersion(p[0]), selectref.MustVersion(p[1])
		if got := selectref.Compare(lo, hi); got != -1 {
			t.Errorf("selectref.Compare(%s, %s) = %d, want -1", p[0], p[1], got)
		}
		if got := selectref.Compare(hi, lo); got != 1 {
			t.Errorf("selectref.Compare(%s, %s) = %d, want 1", p[1], p[0], got)
		}
		plo, err := prefecttag.ParseVersion(p[0])
		if err != nil {
			t.Fatal(err)
		}
		phi, err := prefecttag.ParseVersion(p[1])
		if err != nil {
			t.Fatal(err)
		}
		if got := plo.Compare(phi); got != -1 {
			t.Errorf("prefecttag: %s.Compare(%s) = %d, want -1", p[0], p[1], got)
		}

		// Selection and listing over the two tags, the lower one first
		// as a registry lists them, agree with each other.
		tags := []string{p[0] + "-python3.12", p[1] + "-python3.12"}
		want := p[1] + "-python3.12"
		if got, ok := selectref.ParseTags(tags).Select(selectref.Selector{AllowPre: true}); !ok || got != want {
			t.Errorf("selectref picks %q of %v, want %s", got, tags, want)
		}
		sel, err := prefecttag.ParseSelector("", "", "", true)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := prefecttag.NewCatalog(tags).Select(sel); err != nil || got.Name != want {
			t.Errorf("prefecttag picks %q (%v) of %v, want %s", got.Name, err, tags, want)
		}
		if got := selectref.ParseTags(tags).Releases(selectref.Selector{AllowPre: true}); !slices.Equal(got, []string{p[1], p[0]}) {
			t.Errorf("selectref lists %v, want [%s %s]", got, p[1], p[0])
		}
	}
}
