package prefecttag_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/selectref"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A no-match error that advises allow_prereleases = true must be right:
// with it, the same selector picks a tag. And it never quotes an empty
// constraint. Checked for a few known cases and for random selectors.
func TestReviewNoMatchPrereleaseAdviceHolds(t *testing.T) {
	const advice = "set allow_prereleases = true"
	tags := append(tagcatalog.Prefect(), selectref.ExtraTags...)
	cat := prefecttag.NewCatalog(tags)
	check := func(t *testing.T, cat *prefecttag.Catalog, sel prefecttag.Selector) (checked bool) {
		t.Helper()
		_, err := cat.Select(sel)
		var nm *prefecttag.NoMatchError
		if !errors.As(err, &nm) {
			return false
		}
		msg := err.Error()
		if strings.Contains(msg, `meets ""`) {
			t.Errorf("%s: the message quotes an empty constraint: %s", sel, msg)
		}
		if !strings.Contains(msg, advice) {
			return false
		}
		sel.AllowPrereleases = true
		if _, err := cat.Select(sel); err != nil {
			t.Errorf("the message advises %q, but with it: %v\nmessage: %s", advice, err, msg)
		}
		return true
	}
	for _, tt := range []struct{ versions, python, flavor string }{
		{"> 3.8.3", "3.9", ""},     // 3.8.4.devN are not built for 3.9
		{"> 3.8.3", "", "conda"},   // they are for conda
		{"> 3.4.25", "3.9", ""},    // 3.4.26.dev1 and dev2 are on 3.9
		{"==3.1.16.*", "3.13", ""}, // 3.1.16.devN are on 3.9 to 3.12
		{">= 3.8.4.dev1", ">= 3.13", ""},
	} {
		sel, err := prefecttag.ParseSelector(tt.versions, tt.python, tt.flavor, false)
		if err != nil {
			t.Fatal(err)
		}
		check(t, cat, sel)
	}
	onlyPre := prefecttag.NewCatalog([]string{"3.0.0rc1-python3.12", "3.0.0rc2-python3.11"})
	for _, py := range []string{"", "3.12", "3.13"} {
		sel, err := prefecttag.ParseSelector("", py, "", false)
		if err != nil {
			t.Fatal(err)
		}
		check(t, onlyPre, sel)
	}

	g := selectref.NewGen(23, tags)
	advised := 0
	for range 3000 {
		cs, text := g.Constraint()
		_, pyText := g.Python()
		sel, err := prefecttag.ParseSelector(text, pyText, g.Flavor(), false)
		if err != nil && cs.Unmeetable() {
			continue // refused when parsed: no no-match error to advise
		}
		if err != nil {
			t.Fatal(err)
		}
		if check(t, cat, sel) {
			advised++
		}
	}
	t.Logf("%d random no-match errors advised allow_prereleases", advised)
}
