package registry

import (
	"fmt"
	"slices"
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
// on every one of behaviours at every one of sizes, a subtest per size.
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
