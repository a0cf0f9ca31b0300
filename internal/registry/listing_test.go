package registry

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// pg builds a page: the `last` sent, the tags, and whether it links on.
func pg(sent string, link bool, tags ...string) page {
	return page{sent: sent, tags: tags, count: len(tags), link: link}
}

// The decisions of a bounded stretch, page by page, without HTTP: it may
// stop at its bound only while the pages prove lexical order.
func TestBoundedStretchDecisions(t *testing.T) {
	cursor := pg("", true, "a", "b")
	cursor.linkCursor = true
	cursorPage := pg("", false, "c", "d")
	cursorPage.cursor = true
	whole := pg("b", false, "d", "a", "c", "b", "e")
	for _, tc := range []struct {
		name     string
		from, to string
		through  bool
		n        int
		pages    []page
		want     []verdict
		tags     []string
		beyond   string
		why      string
		// first: the first tag of the first page, which joined and
		// judgeOrder compare with what a neighbour saw next ("" unchecked).
		first string
	}{
		{name: "lexical, stops at the bound", from: "b", to: "f", n: 3,
			pages: []page{pg("b", true, "c", "d", "e"), pg("e", true, "f", "g", "h")},
			want:  []verdict{readMore, complete}, tags: []string{"c", "d", "e"}, beyond: "f", first: "c"},
		// A registry that takes last inclusively (>= for >) answers it with
		// last itself: not after it, so no proof of a lexical bound.
		{name: "last answered from last itself (inclusive)", from: "b", to: "z", n: 3,
			pages: []page{pg("b", true, "b", "c", "d")},
			want:  []verdict{unproven}, why: `after "b" starts at "b"`},
		{name: "a page naming a tag twice is not strictly increasing", from: "", to: "z", n: 3,
			pages: []page{pg("", true, "a", "b", "b")},
			want:  []verdict{unproven}, why: `not in lexical order ("b" follows "b")`},
		{name: "through the bound", from: "b", to: "f", through: true, n: 3,
			pages: []page{pg("b", true, "c", "d", "f"), pg("f", false, "g")},
			want:  []verdict{readMore, complete}, tags: []string{"c", "d", "f"}, beyond: "g"},
		{name: "end of a linked list", from: "", to: "", n: 3,
			pages: []page{pg("", true, "a", "b", "c"), pg("c", false, "d")},
			want:  []verdict{readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "no Link: a short page is followed by last until empty", from: "a", to: "z", n: 10,
			pages: []page{pg("a", false, "b", "c"), pg("c", false, "d"), pg("d", false)},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"b", "c", "d"}},
		{name: "last answered from the start (positional, or ignored)", from: "m", to: "z", n: 3,
			pages: []page{pg("m", true, "a", "b", "n")},
			want:  []verdict{unproven}, why: `after "m" starts at "a"`},
		{name: "a page out of order", from: "", to: "z", n: 3,
			pages: []page{pg("", true, "a", "c", "b")},
			want:  []verdict{unproven}, why: "not in lexical order"},
		{name: "pages out of order", from: "", to: "z", n: 2,
			pages: []page{pg("", true, "c", "d"), pg("d", true, "a", "b")},
			want:  []verdict{readMore, unproven}, why: `after "d" starts at "a"`},
		{name: "a Link not after the page's last tag", from: "", to: "z", n: 2,
			pages: []page{pg("", true, "a", "b"), pg("q", true, "r", "s")},
			want:  []verdict{readMore, unproven}, why: `linked after "q"`},
		{name: "an empty page's Link may not jump ahead", from: "b", to: "z", n: 2,
			pages: []page{pg("b", true), pg("e", true, "f", "g")},
			want:  []verdict{readMore, unproven}, why: `linked after "e", not after the last tag of the page before ("b")`},
		{name: "a Link from a page of names that are no tags may not jump ahead", from: "b", to: "z", n: 2,
			pages: []page{{sent: "b", count: 2, link: true}, pg("e", true, "f", "g")},
			want:  []verdict{readMore, unproven}, why: `linked after "e"`},
		{name: "an empty first page's Link that goes on where it was asked", from: "b", to: "z", n: 2,
			pages: []page{pg("b", true), pg("b", false, "c"), pg("c", false)},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"c"}},
		{name: "opaque cursor in the first Link", from: "", to: "z", n: 2,
			pages: []page{cursor},
			want:  []verdict{unproven}, why: "opaque cursor"},
		{name: "a page read by cursor", from: "", to: "z", n: 2,
			pages: []page{pg("", true, "a", "b"), cursorPage},
			want:  []verdict{readMore, unproven}, why: "opaque cursor"},
		{name: "the whole list at once, unsorted (distribution 2.x)", from: "b", to: "z", n: 3,
			pages: []page{whole},
			want:  []verdict{unproven}},
		{name: "more than asked after last, all after it", from: "b", to: "z", n: 2,
			pages: []page{pg("b", false, "e", "d", "c")},
			want:  []verdict{unproven}},
		{name: "more names than asked, sorted, no Link: asked after its last", from: "", to: "z", n: 3,
			pages: []page{pg("", false, "a", "b", "c", "d"), pg("d", false)},
			want:  []verdict{readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "a linked registry's full page without a Link is confirmed", from: "", to: "z", n: 2,
			pages: []page{pg("", true, "a", "b"), pg("b", false, "c", "d"), pg("d", false)},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "a linked registry's short page without a Link ends it", from: "", to: "z", n: 3,
			pages: []page{pg("", true, "a", "b", "c"), pg("c", false, "d")},
			want:  []verdict{readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		// The third widening of the model found it (bytes-26-a-name, Link
		// off the last full page): pages cut by bytes as well as n, so
		// their sizes vary, and the Link left off a page cut full. Once
		// two linked pages asked with one n differ, a page short of the
		// linked ones is no proof of the end: it is asked after.
		{name: "linked pages of uneven size: a short page without a Link is asked after", from: "", to: "z", n: 3,
			pages: []page{asked(3, pg("", true, "a", "b", "c")), asked(3, pg("c", true, "d", "e")), asked(3, pg("e", false, "f", "g")), asked(3, pg("g", false, "h")), asked(3, pg("h", false))},
			want:  []verdict{readMore, readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		// Rows added by mutation testing (s39): each fails with one small
		// change to takeBounded or fullUnasked that no row pinned before
		// (the rows above ask without n, where fullUnasked decides).
		{name: "n asked, no Link: a page short of n is followed by last until empty", from: "a", to: "z", n: 10,
			pages: []page{asked(10, pg("a", false, "b", "c")), asked(10, pg("c", false, "d")), asked(10, pg("d", false))},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"b", "c", "d"}},
		{name: "n asked, a page without a Link as full as the linked one is asked after", from: "", to: "z", n: 2,
			pages: []page{asked(2, pg("", true, "a", "b")), asked(2, pg("b", false, "c", "d")), asked(2, pg("d", false))},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "a Link without n answered by the registry's own size: a page of that size without a Link is asked after", from: "", to: "z", n: 10,
			pages: []page{asked(10, pg("", true, "a", "b", "c", "d")), asked(0, pg("d", true, "e", "f", "g")), asked(0, pg("g", false, "h", "i", "j")), asked(0, pg("j", false, "k"))},
			want:  []verdict{readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}},
		// Linked pages uneven the
		// other way (the later one fuller) make a short page no proof of
		// the end either.
		{name: "linked pages of uneven size, the later fuller: a short page without a Link is asked after", from: "", to: "z", n: 3,
			pages: []page{asked(3, pg("", true, "a", "b")), asked(3, pg("b", true, "c", "d", "e")), asked(3, pg("e", false, "f", "g")), asked(3, pg("g", false))},
			want:  []verdict{readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g"}},
		// fullUnasked with no page
		// linked without n seen yet.
		{name: "a Link without n, no page asked so seen before: a short page without a Link is asked after", from: "", to: "z", n: 10,
			pages: []page{asked(10, pg("", true, "a", "b", "c", "d")), asked(0, pg("d", false, "e", "f")), asked(0, pg("f", false))},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f"}},
		{name: "an empty range", from: "x", to: "y", n: 3,
			pages: []page{pg("x", false)},
			want:  []verdict{complete}},
		{name: "a page of names that are no tags", from: "", to: "z", n: 3,
			pages: []page{{count: 2}},
			want:  []verdict{unproven}, why: "no valid tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &stretch{bounded: true, from: tc.from, to: tc.to, through: tc.through, n: tc.n}
			for i, p := range tc.pages {
				if got := s.take(p); got != tc.want[i] {
					t.Fatalf("page %d: verdict %d, want %d (%s)", i+1, got, tc.want[i], s.why)
				}
			}
			if tc.tags != nil && !slices.Equal(s.tags, tc.tags) {
				t.Errorf("tags %q, want %q", s.tags, tc.tags)
			}
			if s.beyond != tc.beyond {
				t.Errorf("beyond %q, want %q", s.beyond, tc.beyond)
			}
			if tc.first != "" && s.first != tc.first {
				t.Errorf("first %q, want %q", s.first, tc.first)
			}
			if !strings.Contains(s.why, tc.why) {
				t.Errorf("why %q, want it to say %q", s.why, tc.why)
			}
		})
	}
}

// cur is a page reached by a cursor Link.
// asked is p as asked with n.
func asked(n int, p page) page {
	p.asked = n
	return p
}

func cur(link bool, tags ...string) page {
	p := pg("", link, tags...)
	p.cursor = true
	return p
}

// The decisions of an unbounded stretch: it reads to the end in any order,
// and says unreadable where the end cannot be reached.
func TestWholeStretchDecisions(t *testing.T) {
	big := pg("", false, "e", "a", "d", "c", "b")
	for _, tc := range []struct {
		name  string
		n     int
		pages []page
		want  []verdict
		tags  []string
		why   string
		wide  bool
		// unasked: n is not sent (the registry refused it).
		unasked bool
		// linked: the most names a linked page of the listing's other
		// readings held, as the reader sets it before the first page.
		linked int
	}{
		{name: "linked pages in an order of their own", n: 2,
			pages: []page{pg("", true, "d", "a"), pg("a", true, "c", "e"), pg("e", false, "b")},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"d", "a", "c", "e", "b"}},
		{name: "no Link, last by position, an empty page ends it", n: 2,
			pages: []page{pg("", false, "d", "a"), pg("a", false, "c", "e"), pg("e", false)},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"d", "a", "c", "e"}},
		{name: "no Link, last ignored, n honoured: asked again whole with a wide n", n: 10,
			pages: []page{pg("", false, "b", "a"), pg("a", false, "b", "a"), pg("", false, "b", "a")},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"b", "a"}, wide: true},
		{name: "started over past the end after honouring last", n: 2,
			pages: []page{pg("", false, "a", "b"), pg("b", false, "c", "d"), pg("d", false, "a", "b")},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "a tag listed twice, taken by its first place: tags read already, not a start over", n: 2,
			pages: []page{pg("", false, "a", "b"), pg("b", false, "c", "d"), pg("d", false, "e", "c"), pg("c", false, "d", "e"), pg("e", false, "c", "f"), pg("f", false, "g"), pg("g", false)},
			want:  []verdict{readMore, readMore, readMore, readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g"}},
		{name: "more than asked, no Link, last ignored: the whole list (distribution 2.x)", n: 3,
			pages: []page{big, pg("b", false, "e", "a", "d", "c", "b")},
			want:  []verdict{readMore, complete}, tags: []string{"e", "a", "d", "c", "b"}},
		{name: "more than asked, no Link, last honoured: read on", n: 3,
			pages: []page{pg("", false, "a", "b", "c", "d"), pg("d", false, "e", "f", "g", "h"), pg("h", false)},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{name: "a linked registry's full page without a Link is confirmed", n: 2,
			pages: []page{pg("", true, "a", "b"), pg("b", false, "c", "d"), pg("d", false)},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "a page of names that are no tags, without a Link", n: 10,
			pages: []page{pg("", false, "a"), {sent: "a", count: 3}},
			want:  []verdict{readMore, unreadable}, why: "no valid tag"},
		{name: "last ignored, full pages: asked again whole, then read", n: 2,
			pages: []page{pg("", false, "a", "b"), pg("b", false, "a", "b"), pg("", false, "a", "b", "c"), pg("c", false, "a", "b", "c")},
			want:  []verdict{readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c"}, wide: true},
		{name: "a page ending at the last sent again", n: 2,
			pages: []page{pg("", false, "a", "b"), pg("b", false, "c", "b")},
			want:  []verdict{readMore, unreadable}, why: "loop"},
		{name: "n refused, last ignored, no Link: the page cannot be widened", n: 2, unasked: true,
			pages: []page{pg("", false, "a", "b"), pg("b", false, "a", "b")},
			want:  []verdict{readMore, unreadable}, why: "refuses n"},
		// Its own page is longer than the n the listing would ask, but n
		// was never sent: that shows no registry ignoring n, and the page
		// may be one of its own size (a 400 on the first page, once, from
		// a flaky load balancer: TestListingModelFaultsRefusedNOnce).
		{name: "n refused, last ignored, no Link, a page longer than n: still cannot be widened", n: 2, unasked: true,
			pages: []page{pg("", false, "a", "b", "c"), pg("c", false, "a", "b", "c")},
			want:  []verdict{readMore, unreadable}, why: "refuses n"},
		{name: "n refused, every tag at once, last honoured: read on to the empty page", n: 2, unasked: true,
			pages: []page{pg("", false, "a", "b", "c"), pg("c", false)},
			want:  []verdict{readMore, complete}, tags: []string{"a", "b", "c"}},
		{name: "cursor pages", n: 2,
			pages: []page{pg("", true, "a", "b"), {tags: []string{"c"}, count: 1, cursor: true}},
			want:  []verdict{readMore, complete}, tags: []string{"a", "b", "c"}},
		// Quay 3.11: a cursor registry that links a next page only while a
		// tag remains, and answers a last that is a tag from its start.
		{name: "cursor pages ending on a full page: asked again shorter, the end shows", n: 3,
			pages: []page{pg("", true, "a", "b", "c"), cur(false, "d", "e", "f"), cur(true, "d", "e"), cur(false, "f")},
			want:  []verdict{readMore, askShorter, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f"}},
		// Asked with the n the reader sends: 2, then 1 for the shorter answer.
		{name: "cursor pages, two names a page: shorter by one, the last page is full again, so asked after it", n: 2,
			pages: []page{asked(2, pg("", true, "a", "b")), asked(2, cur(false, "c", "d")), asked(1, cur(true, "c")), asked(1, cur(false, "d")), asked(1, pg("d", false))},
			want:  []verdict{readMore, askShorter, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "cursor pages, a full page without Link that goes on: asked again shorter, read on", n: 3,
			pages: []page{pg("", true, "a", "b", "c"), cur(false, "d", "e", "f"), cur(true, "d", "e"), cur(true, "f", "g"), cur(false, "h")},
			want:  []verdict{readMore, askShorter, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{name: "cursor pages, the shorter answer has no Link either: asked after the full page, as before", n: 2,
			pages: []page{pg("", true, "a", "b"), cur(false, "c", "d"), cur(false, "c"), pg("d", false)},
			want:  []verdict{readMore, askShorter, readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "cursor pages ending on a full page, n refused: not asked shorter (n cannot be sent), asked after it", n: 2, unasked: true,
			pages: []page{pg("", true, "a", "b"), cur(false, "c", "d"), pg("d", false)},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d"}},
		{name: "cursor pages, the shorter n not taken: asked after the full page, never whole from it", n: 2,
			pages: []page{pg("", true, "a", "b"), cur(false, "c", "d"), cur(false, "c", "d"), pg("d", true, "a", "b")},
			want:  []verdict{readMore, askShorter, readMore, readMore}, tags: []string{"a", "b", "c", "d"}},
		// FuzzListingModel found it: last ignored, cursor Links left off a
		// full page, and n capped below the wide n. Asked whole, the
		// registry sent its capped first page, fewer tags than read.
		{name: "last ignored, the answer asked whole holds fewer tags than read: not the whole list", n: 3,
			pages: []page{pg("", true, "a", "b", "c"), cur(false, "d", "e", "f"), cur(false, "d", "e"), pg("f", true, "a", "b"), cur(true, "c", "d"), cur(false, "e", "f"), pg("", false, "a", "b", "c", "d")},
			want:  []verdict{readMore, askShorter, readMore, readMore, readMore, readMore, unreadable}, why: "fewer than the 6 its pages held", wide: true},
		{name: "last ignored, a Link left off a full page: the answer asked whole is no proof of the end, even holding every tag read", n: 3,
			pages: []page{pg("", true, "a", "b", "c"), cur(false, "d", "e", "f"), cur(false, "d", "e"), pg("f", true, "a", "b"), cur(true, "c", "d"), cur(false, "e", "f"), pg("", false, "a", "b", "c", "d", "e", "f")},
			want:  []verdict{readMore, askShorter, readMore, readMore, readMore, readMore, unreadable}, why: "left the Link off a full page", wide: true},
		// The widened model found it (TestListingModel, link-n-asked): n
		// capped at 5 below the 10 asked, cursor Links that carry the n
		// asked, the Link left off a full page, last ignored. Every page
		// is short of n, but the last one asked whole is as full as the
		// linked page before it: 10 of 11 tags were taken for the list.
		{name: "last ignored, n capped, a Link left off a page as full as a linked one of the stretch: the answer asked whole is no proof of the end", n: 10,
			pages: []page{pg("", true, "a", "b", "c", "d", "e"), cur(false, "f", "g", "h", "i", "j"), cur(false, "f", "g", "h", "i"), pg("j", true, "a", "b", "c", "d"), cur(false, "e", "f", "g", "h"), pg("", true, "a", "b", "c", "d", "e"), cur(false, "f", "g", "h", "i", "j")},
			want:  []verdict{readMore, askShorter, readMore, readMore, readMore, readMore, unreadable}, why: "left the Link off a full page", wide: true},
		// The widened model found it (link-cursor/fixed100 with n=10): a
		// registry that cuts its pages at a size of its own, over n, and
		// pages by cursor, ignoring last. Its last page holds fewer than
		// its linked pages but more than n: it is not full, so the list
		// ends there. Asked again shorter, it would send the same page.
		{name: "n ignored, cursor pages, a last page short of the linked ones: the end", n: 2,
			pages: []page{asked(2, pg("", true, "a", "b", "c", "d")), asked(2, cur(false, "e", "f"))},
			want:  []verdict{readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f"}},
		// The third widening of the model found it (bytes-26-a-name, Link
		// off the last full page): 90 of 101 tags. Pages cut by bytes as
		// well as n vary in size; the Link left off a page cut full.
		{name: "linked pages of uneven size: a short page without a Link is asked after", n: 3,
			pages: []page{asked(3, pg("", true, "a", "b", "c")), asked(3, pg("c", true, "d", "e")), asked(3, pg("e", false, "f", "g")), asked(3, pg("g", false, "h")), asked(3, pg("h", false))},
			want:  []verdict{readMore, readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{name: "linked pages of even size asked with different n: a short page without a Link ends it", n: 3,
			pages: []page{asked(3, pg("", true, "a", "b", "c")), asked(0, pg("c", true, "d", "e")), asked(3, pg("e", false, "f", "g"))},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g"}},
		// Pages of uneven size by cursor (a registry ignoring last): the
		// short page is asked again shorter, and the shorter answer, cut
		// shorter still, links the rest.
		{name: "cursor pages of uneven size: a short page without a Link is asked again shorter", n: 4,
			pages: []page{asked(4, pg("", true, "a", "b", "c", "d")), asked(4, cur(true, "e", "f", "g")), asked(4, cur(false, "h", "i", "j")), asked(2, cur(true, "h")), asked(2, cur(false, "i", "j"))},
			want:  []verdict{readMore, readMore, askShorter, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}},
		{name: "cursor pages of uneven size, a short page of two names: the end, as it cannot be asked shorter", n: 4,
			pages: []page{asked(4, pg("", true, "a", "b", "c", "d")), asked(4, cur(true, "e", "f", "g")), asked(4, cur(false, "h", "i"))},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}},
		// The shorter answer is a page as any other: asked with the n the
		// pages before it were (their size of their own, 3 names, is one
		// more than n), it held 2, so the pages are uneven and a page
		// without Link short of the linked ones is asked after (here h
		// follows). The listing always counted it; the stretch did not.
		{name: "cursor pages, the shorter answer uneven with the linked pages asked with its n: a short page without a Link is asked after", n: 2,
			pages: []page{asked(2, pg("", true, "a", "b", "c")), asked(2, cur(false, "d", "e", "f")), asked(2, cur(true, "d", "e")), asked(2, pg("e", false, "f", "g")), asked(2, pg("g", false, "h")), asked(2, pg("h", false))},
			want:  []verdict{readMore, askShorter, readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		// The third widening of the model found it (last-inclusive, cap50,
		// no Link): a registry answering last from it, not after it, was
		// asked whole at its end and sent its capped first page, an error.
		{name: "last taken inclusively: an answer of last alone ends the list", n: 3,
			pages: []page{pg("", false, "a", "b", "c"), pg("c", false, "c", "d", "e"), pg("e", false, "e")},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e"}},
		{name: "pages of one name answering last with last alone: no proof of the end", n: 3,
			pages: []page{pg("", false, "a"), pg("a", false, "a")},
			want:  []verdict{readMore, readMore}, tags: []string{"a"}, wide: true},
		{name: "n honoured, a Link without n answered with more: a page as full as asked, without Link, is no end", n: 2,
			pages: []page{asked(2, pg("", true, "a", "b")), cur(true, "c", "d", "e"), asked(2, pg("e", false, "f", "g")), asked(2, pg("g", false))},
			want:  []verdict{readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g"}},
		// Rows added by mutation testing (s36): each fails with one small
		// change to takeWhole that no row pinned before.
		{name: "an answer to last that repeats a tag read shows no honoured last: a later start over is asked whole", n: 2,
			pages: []page{pg("", false, "a", "b"), pg("b", false, "b", "c"), pg("c", false, "a", "b")},
			want:  []verdict{readMore, readMore, readMore}, tags: []string{"a", "b", "c"}, wide: true},
		{name: "a cursor page without Link that repeats a tag read is not asked again shorter: asked after", n: 2,
			pages: []page{pg("", true, "a", "b"), cur(false, "b", "c")},
			want:  []verdict{readMore, readMore}, tags: []string{"a", "b", "c"}},
		{name: "an answer of one name read already, not last itself: no proof of the end, asked whole", n: 3,
			pages: []page{pg("", false, "a", "b", "c"), pg("c", false, "a")},
			want:  []verdict{readMore, readMore}, tags: []string{"a", "b", "c"}, wide: true},
		{name: "asked whole, an answer of exactly the wide n: full, so the rest cannot be read", n: 2,
			pages: []page{pg("", false, "a", "b"), pg("b", false, "a", "b"), {tags: []string{"a", "b", "c"}, count: widePage}},
			want:  []verdict{readMore, readMore, unreadable}, why: "is full", wide: true},
		{name: "cursor pages of uneven size, asked shorter once already: a later short page without a Link is the end", n: 4,
			pages: []page{asked(4, pg("", true, "a", "b", "c", "d")), asked(4, cur(true, "e", "f", "g")), asked(4, cur(false, "h", "i", "j")), asked(2, cur(true, "h")), asked(2, cur(true, "i", "j", "k")), asked(2, cur(false, "l", "m", "n"))},
			want:  []verdict{readMore, readMore, askShorter, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"}},
		{name: "a linked empty first page: an answer of tags read already is no start over, asked after", n: 2,
			pages: []page{{count: 0, link: true}, pg("a", false, "b", "c"), pg("c", false, "b")},
			want:  []verdict{readMore, readMore, readMore}, tags: []string{"b", "c"}},
		{name: "a page as full as the listing's linked pages, without Link, last ignored: the answer asked whole is no proof of the end", n: 3, linked: 3,
			pages: []page{pg("", false, "a", "b", "c"), pg("c", false, "a", "b", "c"), pg("", false, "a", "b", "c")},
			want:  []verdict{readMore, readMore, unreadable}, why: "left the Link off a full page", wide: true},
		{name: "n ignored, last ignored, the Link left off a page fuller than the linked one: its answer is no proof of the end", n: 2,
			pages: []page{pg("", true, "a", "b"), pg("b", false, "a", "b", "c"), pg("c", false, "a", "b", "c")},
			want:  []verdict{readMore, readMore, unreadable}, why: "left the Link off a full page"},
		// Rows added by mutation testing (s39).
		{name: "a Link without n answered by the registry's own size: a page of that size without a Link is asked after", n: 10,
			pages: []page{asked(10, pg("", true, "a", "b", "c", "d")), asked(0, pg("d", true, "e", "f", "g")), asked(0, pg("g", false, "h", "i", "j")), asked(0, pg("j", false, "k"))},
			want:  []verdict{readMore, readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}},
		{name: "a linked page's Link answered with tags read only, short, without Link: no proof of the end, asked whole", n: 3,
			pages: []page{pg("", true, "a", "b", "c"), pg("c", false, "a", "b")},
			want:  []verdict{readMore, readMore}, tags: []string{"a", "b", "c"}, wide: true},
		{name: "cursor pages of one name (n capped at 1), the last without Link: asked after it, not again with n=0", n: 2,
			pages: []page{asked(2, pg("", true, "a")), asked(2, cur(false, "b")), asked(2, pg("b", false))},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b"}},
		{name: "cursor pages of uneven size, a short page without a Link that repeats a tag: the end, as it cannot be asked shorter", n: 4,
			pages: []page{asked(4, pg("", true, "a", "b", "c", "d")), asked(4, cur(true, "e", "f", "g")), asked(4, cur(false, "g", "h", "i"))},
			want:  []verdict{readMore, readMore, complete}, tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}},
		// A short page of names that
		// are no tags, without a Link, ends the list like any short page
		// (Artifactory lists platform manifests' digests).
		{name: "a short page without a Link of names that are no tags: the end", n: 3,
			pages: []page{asked(3, pg("", true, "a", "b", "c")), asked(3, page{sent: "c", count: 2})},
			want:  []verdict{readMore, complete}, tags: []string{"a", "b", "c"}},
		// A linked answer to last of
		// names that are no tags shows no new tags, so it is no sign that
		// the registry honours last.
		{name: "a linked answer to last of no valid tags, then the first page again: asked whole, not taken as a start over", n: 2,
			pages: []page{pg("", true, "a", "b"), {sent: "b", count: 2, link: true}, pg("b", false, "a", "b")},
			want:  []verdict{readMore, readMore, readMore}, tags: []string{"a", "b"}, wide: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &stretch{n: tc.n, unasked: tc.unasked, linked: tc.linked}
			for i, p := range tc.pages {
				if got := s.take(p); got != tc.want[i] {
					t.Fatalf("page %d: verdict %d, want %d (%s)", i+1, got, tc.want[i], s.why)
				}
			}
			if tc.tags != nil && !slices.Equal(s.tags, tc.tags) {
				t.Errorf("tags %q, want %q", s.tags, tc.tags)
			}
			if !strings.Contains(s.why, tc.why) {
				t.Errorf("why %q, want it to say %q", s.why, tc.why)
			}
			if widened := s.wideTags != nil; widened != tc.wide {
				t.Errorf("widened %v, want %v", widened, tc.wide)
			}
		})
	}
}

// Pieces read from split points fit together only when each starts at the
// first tag its neighbour saw past their split.
// A proof of lexical last: the answer to last=a+"~" starts at b, in order.
func TestProbe(t *testing.T) {
	for _, tc := range []struct {
		sorted []string
		a, b   string
		ok     bool
	}{
		{[]string{"3.8.0-python3.12", "3.8.1-python3.12"}, "3.8.0-python3.12", "3.8.1-python3.12", true},
		{[]string{"3.8.0-python3.12", "3.8.0-python3.12-conda", "3.8.1-python3.12"}, "3.8.0-python3.12-conda", "3.8.1-python3.12", true},
		{[]string{"a", "ab", "abc"}, "", "", false},
		{[]string{"a"}, "", "", false},
	} {
		a, b, ok := probePair(tc.sorted)
		if a != tc.a || b != tc.b || ok != tc.ok {
			t.Errorf("probePair(%q) = %q, %q, %v", tc.sorted, a, b, ok)
		}
		if ok && (a >= a+"~" || a+"~" >= b) {
			t.Errorf("%q~ does not lie between %q and %q", a, a, b)
		}
	}
	// The answer to last=b~, between b and c of a first page in order, as
	// probeBetween judges it: lexical only when it starts at c, in order.
	head := pg("", true, "a", "b", "c")
	for _, tc := range []struct {
		answer page
		ok     bool
	}{
		{pg("b~", false, "c", "d"), true},
		{pg("b~", false, "a", "b"), false}, // from the start
		{pg("b~", false), false},
		{pg("b~", false, "c", "a"), false},
		{pg("b~", false, "d"), false}, // c missing
	} {
		if v, why := judgeOrder(probePage, head, "b~", &tc.answer, 0); (v == orderLexical) != tc.ok {
			t.Errorf("judgeOrder(b~, %q) = %v (%s), want lexical %v", tc.answer.tags, v, why, tc.ok)
		}
	}
}

func TestJoined(t *testing.T) {
	piece := func(from, first, beyond string) *stretch {
		return &stretch{from: from, first: first, beyond: beyond}
	}
	for _, tc := range []struct {
		name   string
		pieces []*stretch
		ok     bool
	}{
		{"joined", []*stretch{piece("", "a", "c1"), piece("c", "c1", "e1"), piece("e", "e1", "")}, true},
		{"the last piece past the end is empty", []*stretch{piece("", "a", ""), piece("x", "", "")}, true},
		{"answered empty for a last that is no tag", []*stretch{piece("", "a", "c1"), piece("c", "", "")}, false},
		{"answered from elsewhere", []*stretch{piece("", "a", "c1"), piece("c", "c2", "")}, false},
		{"tags after the end", []*stretch{piece("", "a", ""), piece("x", "x1", "")}, false},
	} {
		if ok, why := joined(tc.pieces); ok != tc.ok {
			t.Errorf("%s: joined = %v (%s), want %v", tc.name, ok, why, tc.ok)
		}
	}
}

// What the list's first page and the answer to a last that is no tag show
// of how a registry takes last, on every shape: only an answer that did not
// come from the list's start proves a lexical last.
func TestJudgeOrder(t *testing.T) {
	cursor := pg("", true, "a", "b")
	cursor.linkCursor = true
	whole := pg("m~", false, "z", "a", "n", "b")
	whole.count = 3000 // more names than asked for
	for _, tc := range []struct {
		name    string
		head    page
		after   string
		probe   *page
		refused int
		want    orderVerdict
		why     string
	}{
		{name: "lexical: answered past last at the first page's next tag, the list starting before it",
			head: pg("", true, "a", "b", "n"), after: "m~", probe: &page{sent: "m~", tags: []string{"n", "o"}, count: 2, link: true},
			want: orderLexical},
		{name: "answered past last, the first page ending before it: where the answer had to start is unchecked (distribution v3.0.0 skips one)",
			head: pg("", true, "a", "b"), after: "m~", probe: &page{sent: "m~", tags: []string{"n", "o"}, count: 2, link: true},
			want: orderUnchecked},
		{name: "positional or ignored: answered from the start",
			head: pg("", true, "a", "b"), after: "m~", probe: &page{sent: "m~", tags: []string{"a", "b"}, count: 2, link: true},
			want: orderOwn, why: `after "m~" starts at "a"`},
		{name: "first page out of order (reversed, shuffled)",
			head: pg("", true, "z", "y"), after: "m~", probe: &page{sent: "m~", tags: []string{"n"}, count: 1},
			want: orderOwn, why: "not in lexical order"},
		{name: "paged by cursor",
			head: cursor, after: "m~", probe: &page{sent: "m~", tags: []string{"n"}, count: 1},
			want: orderOwn, why: "opaque cursor"},
		{name: "the answer paged by cursor",
			head: pg("", true, "a", "b"), after: "m~", probe: &page{sent: "m~", tags: []string{"n"}, count: 1, link: true, linkCursor: true},
			want: orderOwn, why: "opaque cursor"},
		{name: "a last that is no tag refused",
			head: pg("", true, "a", "b"), after: "m~", refused: http.StatusBadRequest,
			want: orderOwn, why: "HTTP 400"},
		{name: "the whole list at once, unsorted",
			head: pg("", false, "z", "a", "n", "b"), after: "m~", probe: &whole,
			want: orderOwn, why: "not in lexical order"},
		{name: "an empty answer where the first page holds a tag past last",
			head: pg("", true, "a", "n"), after: "m~", probe: &page{sent: "m~"},
			want: orderOwn, why: `starts at "", but the list's first page holds "n" next`},
		{name: "an answer past last, in order, but not from the first page's next tag",
			head: pg("", true, "a", "n"), after: "m~", probe: &page{sent: "m~", tags: []string{"o", "p"}, count: 2, link: true},
			want: orderOwn, why: `holds "n" next`},
		{name: "lexical: answered from the first page's next tag",
			head: pg("", true, "a", "n"), after: "m~", probe: &page{sent: "m~", tags: []string{"n", "o"}, count: 2, link: true},
			want: orderLexical},
		{name: "the list starts past last: an answer from its start looks the same",
			head: pg("", true, "n", "o"), after: "m~", probe: &page{sent: "m~", tags: []string{"n", "o"}, count: 2, link: true},
			want: orderUnknown},
		{name: "nothing after last proves nothing",
			head: pg("", true, "a", "b"), after: "m~", probe: &page{sent: "m~"},
			want: orderUnknown},
		{name: "no range start to ask with",
			head: pg("", true, "a", "b"),
			want: orderUnknown},
		{name: "an empty list",
			head: pg("", false), after: "m~", probe: &page{sent: "m~"},
			want: orderUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := judgeOrder(2, tc.head, tc.after, tc.probe, tc.refused)
			if got != tc.want || !strings.Contains(why, tc.why) {
				t.Errorf("judgeOrder = %v, %q; want %v, %q", got, why, tc.want, tc.why)
			}
		})
	}
}

// belowEveryTag: tags start with a letter, a digit or '_', and '0' is the
// lowest of those, so a range after a name below "0" starts at the list's
// first page; "0" is itself a tag, and so is not below every tag.
func TestBelowEveryTag(t *testing.T) {
	for _, tc := range []struct {
		after string
		want  bool
	}{
		{"", true}, {"/~", true}, {"-", true}, {".", true},
		{"0", false}, {"0~", false}, {"2.10/", false}, {"A", false}, {"_", false}, {"a", false},
	} {
		if got := belowEveryTag(tc.after); got != tc.want {
			t.Errorf("belowEveryTag(%q) = %v, want %v", tc.after, got, tc.want)
		}
	}
}

// strayStart: an answer to last=after must start at the sorted first page's
// next tag past after, when the page holds one. after may be a tag itself
// (a TagRange's After): the answer then starts past it, not at it.
func TestStrayStart(t *testing.T) {
	head := []string{"a", "b", "c"}
	for _, tc := range []struct {
		after, first string
		stray        bool
	}{
		{"b", "c", false},  // after a tag of the page: starts at the next one
		{"b", "b", true},   // answered from last itself (inclusive)
		{"b~", "c", false}, // after a name that is no tag
		{"b~", "", true},   // empty, where the page holds c next
		{"b~", "d", true},  // c missing
		{"/~", "a", false}, // below the page's first tag
		{"/~", "b", true},  // below the page's first tag, which it must start at
		{"c", "", false},   // the page holds nothing past c: it cannot tell
		{"c", "d", false},
	} {
		if why := strayStart(head, tc.after, tc.first); (why != "") != tc.stray {
			t.Errorf("strayStart(%q, %q, %q) = %q, want stray %v", head, tc.after, tc.first, why, tc.stray)
		}
	}
}
