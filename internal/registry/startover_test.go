package registry

import (
	"slices"
	"strings"
	"testing"
)

// A registry that takes last by position in an order of its own and,
// asked past its end, starts over: its first page again. The stretch asks
// once more after the first page's highest tag, when a tag of that page
// lies below it; the answer tells whether the list ended (by position:
// tags already read, below that last) or cannot be read whole (tags not
// read before). With a first page of one tag there is none below it to
// ask by, and the listing fails.
func TestStartOverAskedOnceMoreAfterTheFirstPagesHighestTag(t *testing.T) {
	type step struct {
		sent string
		tags []string
	}
	for _, tc := range []struct {
		name    string
		n       int
		pages   []step
		want    verdict
		tags    []string // complete: the tags read
		why     string   // unreadable: part of the reason
		asked   string   // the last asked after the answer that started over
		askedAt int      // the page that answer was
	}{{
		name: "answered by position: the list ended",
		n:    2,
		pages: []step{
			{"", []string{"x", "y"}},
			{"y", []string{"a", "b"}},
			{"b", []string{"x", "y"}}, // past its end: the first page again
			{"y", []string{"a", "b"}}, // after y by position: tags read, below y
		},
		want: complete, tags: []string{"x", "y", "a", "b"},
		asked: "y", askedAt: 3,
	}, {
		name: "answered with tags not read before",
		n:    2,
		pages: []step{
			{"", []string{"x", "y"}},
			{"y", []string{"a", "b"}},
			{"b", []string{"x", "y"}},
			{"y", []string{"a", "c"}},
		},
		want: unreadable, why: `asked for the tags after "y", a tag of that page, it sent 1 tag not read before, so where its list ends cannot be told`,
		asked: "y", askedAt: 3,
	}, {
		name: "a first page of one tag",
		n:    1,
		pages: []step{
			{"", []string{"x"}},
			{"x", []string{"a"}},
			{"a", []string{"b"}},
			{"b", []string{"x"}},
		},
		want: unreadable, why: `asked for the tags after "b", the last tag of the page before, the registry sent its first page's tags, every one past it, so whether it started over or takes last as a lexical bound over an order of its own, skipping tags, cannot be told`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := &stretch{n: tc.n}
			v := readMore
			for i, p := range tc.pages {
				if v != readMore {
					t.Fatalf("page %d: verdict %d (%s) before the last page", i+1, v, s.why)
				}
				if i > 0 && s.nextLast != p.sent {
					t.Fatalf("page %d: the stretch asks after %q, the test sends %q", i+1, s.nextLast, p.sent)
				}
				v = s.take(page{sent: p.sent, tags: p.tags, count: len(p.tags), asked: tc.n})
				if tc.askedAt == i+1 && (v != readMore || s.nextLast != tc.asked) {
					t.Fatalf("page %d: verdict %d, asks after %q; want readMore after %q", i+1, v, s.nextLast, tc.asked)
				}
			}
			if v != tc.want {
				t.Fatalf("verdict %d (%s), want %d", v, s.why, tc.want)
			}
			if tc.want == complete && !slices.Equal(s.tags, tc.tags) {
				t.Errorf("tags %q, want %q", s.tags, tc.tags)
			}
			if !strings.Contains(s.why, tc.why) {
				t.Errorf("why = %q, want it to say %q", s.why, tc.why)
			}
		})
	}
}
