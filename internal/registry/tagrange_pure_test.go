package registry

import (
	"cmp"
	"slices"
	"strings"
	"testing"
)

// The range decisions of tags.go that choose which
// tags a reading is trusted for (contains, filter, covers, covering,
// served), pinned without HTTP, bound by bound.

func TestTagRangeContains(t *testing.T) {
	for _, tc := range []struct {
		r    TagRange
		tag  string
		want bool
	}{
		{TagRange{}, "3.1.0", true},
		{TagRange{After: "3.1"}, "3.1", false}, // After is outside
		{TagRange{After: "3.1"}, "3.1.0", true},
		{TagRange{After: "3.1"}, "3.0", false},
		{TagRange{Before: "3.2"}, "3.2", false}, // Before is outside
		{TagRange{Before: "3.2"}, "3.1.9", true},
		{TagRange{Before: "3.2"}, "3.2.0", false},
		{TagRange{After: "3.1", Before: "3.2"}, "3.1.5", true},
		{TagRange{After: "3.1", Before: "3.2"}, "3.1", false},
		{TagRange{After: "3.1", Before: "3.2"}, "3.2", false},
		{TagRange{After: "3.1", Before: "3.2"}, "3.0.9", false},
		{TagRange{After: "3.1", Before: "3.2"}, "3.3", false},
	} {
		if got := tc.r.contains(tc.tag); got != tc.want {
			t.Errorf("%+v contains %q = %v, want %v", tc.r, tc.tag, got, tc.want)
		}
	}
}

// filter keeps the tags inside, sorted, each once, in a slice of its own.
func TestTagRangeFilter(t *testing.T) {
	in := []string{"3.3", "3.1.2", "3.1", "3.1.2", "3.2", "3.1.1", "3.0"}
	orig := slices.Clone(in)
	got := TagRange{After: "3.1", Before: "3.2"}.filter(in)
	if want := []string{"3.1.1", "3.1.2"}; !slices.Equal(got, want) {
		t.Errorf("filter = %q, want %q", got, want)
	}
	if !slices.Equal(in, orig) {
		t.Errorf("filter changed its input: %q, was %q", in, orig)
	}
	if got := (TagRange{}).filter(in); !slices.Equal(got, []string{"3.0", "3.1", "3.1.1", "3.1.2", "3.2", "3.3"}) {
		t.Errorf("whole filter = %q", got)
	}
}

// covers: every tag of o lies inside r. An open side of o is wider than
// any bound of r on that side.
func TestTagRangeCovers(t *testing.T) {
	for _, tc := range []struct {
		r, o TagRange
		want bool
	}{
		{TagRange{}, TagRange{}, true},
		{TagRange{}, TagRange{After: "a", Before: "b"}, true},
		{TagRange{After: "b"}, TagRange{}, false},
		{TagRange{After: "b"}, TagRange{After: "b"}, true},
		{TagRange{After: "b"}, TagRange{After: "c"}, true},
		{TagRange{After: "b"}, TagRange{After: "a"}, false},
		{TagRange{After: "b"}, TagRange{Before: "z"}, false},
		{TagRange{Before: "m"}, TagRange{}, false},
		{TagRange{Before: "m"}, TagRange{Before: "m"}, true},
		{TagRange{Before: "m"}, TagRange{Before: "l"}, true},
		{TagRange{Before: "m"}, TagRange{Before: "n"}, false},
		{TagRange{Before: "m"}, TagRange{After: "a"}, false},
		{TagRange{After: "b", Before: "m"}, TagRange{After: "c", Before: "l"}, true},
		{TagRange{After: "b", Before: "m"}, TagRange{After: "a", Before: "l"}, false},
		{TagRange{After: "b", Before: "m"}, TagRange{After: "c", Before: "n"}, false},
	} {
		if got := tc.r.covers(tc.o); got != tc.want {
			t.Errorf("%+v covers %+v = %v, want %v", tc.r, tc.o, got, tc.want)
		}
	}
}

// covering: of the ranges asked for, those that cover r, and only those.
func TestListingCovering(t *testing.T) {
	l := &listing{asked: map[[2]string]int{
		{"", ""}:       1,
		{"3.", "4"}:    2,
		{"3.1", "3.2"}: 1,
		{"3.5", ""}:    1,
	}}
	got := l.covering(TagRange{After: "3.1", Before: "3.2"})
	slices.SortFunc(got, func(a, b TagRange) int {
		return cmp.Or(strings.Compare(a.After, b.After), strings.Compare(a.Before, b.Before))
	})
	want := []TagRange{{}, {After: "3.", Before: "4"}, {After: "3.1", Before: "3.2"}}
	if !slices.EqualFunc(got, want, func(a, b TagRange) bool { return a.After == b.After && a.Before == b.Before }) {
		t.Errorf("covering = %+v, want %+v", got, want)
	}
}

// served: a range read before that covers r serves it, filtered to r; once
// the list is found out of order, none does (not a narrowed reading, nor
// the whole range read in pieces): the whole list is served by
// checkedWhole, and kept by no range.
func TestListingServed(t *testing.T) {
	narrow := rangeRead{r: TagRange{After: "3.", Before: "4"}, tags: []string{"3.1", "3.2", "3.3"}}
	pieces := rangeRead{r: TagRange{Splits: []string{"3."}}, tags: []string{"2.9", "3.1", "3.2"}}
	r := TagRange{After: "3.1", Before: "3.3"}
	for _, tc := range []struct {
		name      string
		ask       TagRange
		ranges    []rangeRead
		unordered bool
		want      []string
		ok        bool
	}{
		{"nothing read", r, nil, false, nil, false},
		{"a narrowed reading that covers", r, []rangeRead{narrow}, false, []string{"3.2"}, true},
		{"a narrowed reading that does not cover", TagRange{After: "2.", Before: "3.3"}, []rangeRead{narrow}, false, nil, false},
		{"a narrowed reading, unordered", r, []rangeRead{narrow}, true, nil, false},
		{"the whole range read in pieces, unordered", r, []rangeRead{pieces}, true, nil, false},
		{"the whole range read in pieces", r, []rangeRead{pieces}, false, []string{"3.2"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &listing{ranges: tc.ranges}
			l.unordered.Store(tc.unordered)
			got, ok := l.served(tc.ask)
			if ok != tc.ok || !slices.Equal(got, tc.want) {
				t.Errorf("served = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
