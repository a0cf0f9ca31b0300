package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// positional serves tags in order (the registry's own), last taken by
// position in it; a last that is no tag is answered by unknown (from the
// start, or an empty page). fixed > 0: every page holds that many names
// whatever n asks, and no Link is sent. Otherwise n is honoured and a Link
// sent while names remain.
type positional struct {
	order   []string
	fixed   int
	unknown string // "start" or "empty"
}

func (p positional) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, _ := strconv.Atoi(q.Get("n"))
	if p.fixed > 0 {
		n = p.fixed
	}
	i := 0
	if last := q.Get("last"); last != "" {
		j := slices.Index(p.order, last)
		switch {
		case j >= 0:
			i = j + 1
		case p.unknown == "empty":
			i = len(p.order)
		}
	}
	page := p.order[i:min(i+n, len(p.order))]
	if p.fixed == 0 && i+n < len(p.order) {
		w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?n=%d&last=%s>; rel="next"`, n, url.QueryEscape(page[len(page)-1])))
	}
	writeTags(w, page)
}

// A registry that ignores n (pages of 1500 whatever n asks, no Link) and
// takes last by position in an order of its own, answering a last that is
// no tag from its start. Its answer to the probe (last=3.7~) holds more
// names than asked for, some at or before last, without a Link: the
// `all` shortcut takes those 1500 names as the whole list, although the
// registry holds 3000 and pages through them by last (a whole reading,
// ListTags on a fresh Client, gets all 3000).
func TestVerdictAllShortcutOnPositionalRegistryIgnoringN(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(3000) // 3.0.0 … 3.29.99, sorted
	own := registrytest.Shuffled(7)(slices.Clone(all))
	s := newTagServer(t, positional{order: own, fixed: 1500, unknown: "start"}.serve)
	ref := repoOf(t, s.repo())

	whole, err := newTestClient(t, Config{}).ListTags(context.Background(), ref)
	if err != nil || len(whole) != len(all) {
		t.Fatalf("ListTags on a fresh Client: %d tags (err %v), want %d", len(whole), err, len(all))
	}
	rg := TagRange{After: "3.7~", Before: "3.8~"}
	got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), ref, rg)
	if want := inRange(all, rg); err != nil || !slices.Equal(got, want) {
		t.Errorf("range %+v: %d tags (err %v), want %d", rg, len(got), err, len(want))
	}
}

// The release range (After "/~") lies below every valid tag, so the list
// always starts after it and judgeOrder can never tell from its answer:
// the probe page is spent, then probeBetween. On a registry not in lexical
// order whose first page is (positional-moved), a plan that lists only the
// release range (prefectimage_releases) costs one full listing and two
// pages, not one.
func TestVerdictReleaseRangeCostsFullListingPlusTwo(t *testing.T) {
	noDockerConfig(t)
	all := tagcatalog.Prefect()
	want := slices.Sorted(slices.Values(all))
	r := registrytest.Prefect(t, registrytest.WithOrder(registrytest.MovedToEnd(50)))
	ref := repoOf(t, r.Host()+"/prefecthq/prefect")
	rg := TagRange{After: "/~", Before: "9~", Splits: prefectSplits}
	got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), ref, rg)
	if err != nil || !slices.Equal(got, inRange(want, rg)) {
		t.Fatalf("range %+v: %d tags (err %v), want %d", rg, len(got), err, len(inRange(want, rg)))
	}
	used := r.Counts().ListPage
	r.ResetCounts()
	if _, err := newTestClient(t, Config{}).ListTags(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	if full := r.Counts().ListPage; used > full+1 {
		t.Errorf("%d list requests, want at most one full listing (%d) and the probe", used, full)
	}
}

// slashAnsweredEmpty serves 80 tags (2.0.x, 2.1.x, 2.10.x, 2.11.x) in
// lexical order, answering a last that holds '/' with an empty page.
func slashAnsweredEmpty(t *testing.T) (*tagServer, []string) {
	t.Helper()
	noDockerConfig(t)
	var all []string
	for _, m := range []string{"2.0", "2.1", "2.10", "2.11"} {
		for p := range 20 {
			all = append(all, fmt.Sprintf("%s.%d", m, p))
		}
	}
	slices.Sort(all)
	lex := reviewList{order: all, last: "lexical", link: true}
	return newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Query().Get("last"), "/") {
			writeTags(w, nil)
			return
		}
		lex.serve(w, r)
	}), all
}

// A registry in lexical order that answers a last holding '/' (as the
// resolver's spans do, "2.1/" … "2.1:") with an empty page, as if it were a path,
// but takes other names that are no tags ("a~") lexically. The empty
// answer leaves the order unknown; probeBetween passes; the empty probe
// page is then reused as the range's whole answer, though the list's
// first page, read beside it in lexical order, holds tags of the range.
func TestVerdictEmptyProbeAnswerReusedAsRange(t *testing.T) {
	s, all := slashAnsweredEmpty(t)
	rg := TagRange{After: "2.1/", Before: "2.1:"} // 2.10.x, 2.11.x
	got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), repoOf(t, s.repo()), rg)
	if want := inRange(all, rg); err != nil || !slices.Equal(got, want) {
		t.Errorf("range %+v: %q (err %v), want %d tags; the list's first page holds them", rg, got, err, len(want))
	}
}

// The same registry, the order judged on a range without '/' (lexical,
// rightly), then a range whose start holds '/' read after: its first
// page, empty, is trusted as the range, though the list's first page,
// read for the verdict, holds tags of the range.
func TestVerdictLaterRangeEmptyAnswerTrusted(t *testing.T) {
	s, all := slashAnsweredEmpty(t)
	c := newTestClient(t, Config{})
	ref := repoOf(t, s.repo())
	for _, rg := range []TagRange{{After: "2.10~", Before: "2.11~"}, {After: "2.1/", Before: "2.1:"}} {
		got, err := c.ListTagRange(context.Background(), ref, rg)
		if want := inRange(all, rg); err != nil || !slices.Equal(got, want) {
			t.Errorf("range %+v: %q (err %v), want %d tags", rg, got, err, len(want))
		}
	}
}

// A registry not in lexical order (lexical but for re-pushed tags moved to
// the end) that answers a last that is no tag with an empty page, its first
// page ending before that name: a lexical registry with nothing past the
// name answers the same, so the empty answer leaves the order unknown and
// probeBetween asks once more, between two tags of the first page. The
// tags are right; the plan costs a full listing and two pages, the one
// case above one page (documented in the reliability guide).
func TestVerdictEmptyAnswerCostsFullListingPlusTwo(t *testing.T) {
	noDockerConfig(t)
	all := reviewTags(3000)
	own := registrytest.MovedToEnd(50)(slices.Clone(all))
	s := newTagServer(t, positional{order: own, unknown: "empty"}.serve)
	ref := repoOf(t, s.repo())
	if _, err := newTestClient(t, Config{}).ListTags(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	full := s.lists.Load()
	s.lists.Store(0)
	rg := TagRange{After: "3.7~", Before: "3.8~"}
	got, err := newTestClient(t, Config{}).ListTagRange(context.Background(), ref, rg)
	if want := inRange(all, rg); err != nil || !slices.Equal(got, want) {
		t.Fatalf("range %+v: %d tags (err %v), want %d", rg, len(got), err, len(want))
	}
	if used := s.lists.Load(); used > full+2 {
		t.Errorf("%d list requests, want at most one full listing (%d), the probe and probeBetween's page", used, full)
	}
}
