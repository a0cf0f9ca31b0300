package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// One Client, three readers of one lexical registry. A range's first page
// is held back while the whole list is read; a release is published, and
// the held page, answered then, holds the new tag, which the whole list
// read before lacks. A third reader, of a range no reading covers, is
// served the whole list read meanwhile: it fails, naming the tag, rather
// than select from a list that a page of the same listing shows lacks one
// (it was served that list without a word).
func TestWholeListLackingATagALaterPageHeldFails(t *testing.T) {
	var before []string
	for i := range 60 {
		before = append(before, fmt.Sprintf("3.%02d", i))
	}
	const released = "3.455"
	after := slices.Sorted(slices.Values(append(slices.Clone(before), released)))
	reg := &repushingRegistry{
		before: &modelRegistry{list: reviewList{order: before, last: "lexical"}},
		after:  &modelRegistry{list: reviewList{order: after, last: "lexical"}},
	}
	c, ref, got := rangeHeldWhileWholeListRead(t, reg, TagRange{After: "3.40~", Before: "4"}, len(before))
	if got.err != nil || !slices.Contains(got.tags, released) {
		t.Fatalf("the range read after the release: %q, %v; want it to hold %s", got.tags, got.err, released)
	}
	tags, err := c.ListTagRange(context.Background(), ref, TagRange{After: "3.30~", Before: "4"})
	if err == nil {
		t.Fatalf("%d tags and no error, want an error", len(tags))
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("held %q, and its whole list, read page by page, lacks it", released)) {
		t.Errorf("error %q does not name the tag the whole list lacks", msg)
	}
}
