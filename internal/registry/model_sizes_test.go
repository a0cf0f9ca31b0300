package registry

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// modelSizesSwept are catalog sizes around the page sizes a listing meets
// (25 asked by a small Client, 50 and 100 as caps, 24 and 99 after a page
// is asked one name shorter): where a list ends on a full page, one name
// past it, or one short of it, the paging decisions differ.
var modelSizesSwept = []int{1, 2, 24, 25, 26, 47, 48, 49, 50, 51, 74, 75, 76, 98, 99, 100, 101, 102, 149, 150, 151, 175, 176, 185, 199, 200, 201, 250, 299, 300, 301, 370}

// TestListingModelSizes checks the property of TestListingModel on every
// behaviour at every swept catalog size, for the whole list.
// FuzzListingModel found a wrong set at 185 tags that the
// 370 of TestListingModel did not show.
func TestListingModelSizes(t *testing.T) {
	sweepModel(t, modelBehaviours(), modelSizesSwept)
}

// sweepModel checks the property of TestListingModel, for the whole list,
// on every one of behaviours at every one of sizes, a subtest per size. A
// registry taking last as a lexical bound over an order of its own is
// judged call by call, as there (judgedCall).
// Pages are read one after another, so the race detector has nothing to
// find here that TestListingModel does not give it, at ten times the cost:
// under -race the sweep is skipped.
func sweepModel(t *testing.T, behaviours []modelBehaviour, sizes []int) {
	if raceDetector {
		t.Skip("pages are read one after another; TestListingModel runs under -race")
	}
	base := modelCatalog()
	for _, size := range sizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			t.Parallel()
			sorted := spread(base, size)
			for _, b := range behaviours {
				if b.unprovable(sorted) != "" {
					continue
				}
				ok := b.readable(sorted) // asked once: it serves the list twice
				for _, mc := range runModel(t, b, sorted, []TagRange{{}}) {
					if msg := mc.check(sorted, ok); msg != "" {
						t.Errorf("%s, %d tags: %s", b, size, msg)
					}
				}
			}
		})
	}
}

// spread is size tags of sorted, evenly spaced over it, sorted.
func spread(sorted []string, size int) []string {
	out := make([]string, 0, size)
	for i := range size {
		out = append(out, sorted[i*len(sorted)/size])
	}
	return slices.Compact(out)
}

// A registry that keeps its tags shuffled, takes last as a lexical bound
// over that order, caps n at 50 and sends no Link, holding 76 tags: asked
// after its first page's last tag, it sent the 7 tags of its order past
// it, all on the first page; the reader took that for a registry ignoring
// last, asked its whole list at once, got the first page again and took
// its 50 tags for the list. An answer to last of tags past it only, every
// one read and not the first page again, is a lexical bound over an order
// of its own: the listing fails.
func TestListingModelOwnOrderAnswerPastLastFails(t *testing.T) {
	for _, last := range []int{0, 7} { // lexical, skip
		b := modelBehaviour{order: 2, last: last, size: 1} // shuffled/last-<last>/link-none/cap50
		t.Run(b.String(), func(t *testing.T) {
			sorted := spread(modelCatalog(), 76)
			for _, mc := range runModel(t, b, sorted, []TagRange{{}}) {
				if mc.err == nil {
					t.Errorf("%s client: %d of %d tags and no error, want an error", mc.how, len(mc.got), len(sorted))
				} else if msg := mc.err.Error(); !strings.Contains(msg, "takes last as a lexical bound over its order") {
					t.Errorf("%s client: error %q does not say it takes last as a lexical bound over its order", mc.how, msg)
				}
			}
		})
	}
}
