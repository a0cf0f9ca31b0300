package registry

import (
	"fmt"
	"strings"
	"testing"
)

// modelWideBehaviours are the behaviours of the dimensions added to the
// model after its first four (a page size of the registry's own, the n its
// Links carry, a Link on a full last page, other client page sizes): each
// behaviour of modelBehaviours in the lexical and reversed orders (the
// others differ from these in how last is judged, which the added
// dimensions leave alone), changed in one added dimension at a time.
func modelWideBehaviours() []modelBehaviour {
	var out []modelBehaviour
	for _, b := range modelBehaviours() {
		if name := modelOrders[b.order].name; name != "lexical" && name != "reversed" {
			continue
		}
		links := modelLinks[b.link] != "none"
		for f := 1; f < len(modelFixed) && modelSizes[b.size] == "n"; f++ {
			w := b
			w.fixed = f
			out = append(out, w)
		}
		for ln := 1; ln < len(modelLinkNs) && links; ln++ {
			w := b
			w.linkN = ln
			out = append(out, w)
		}
		if links {
			w := b
			w.linkEnd = true
			out = append(out, w)
		}
		for cl := 1; cl < len(modelClientNs) && !b.small; cl++ {
			w := b
			w.client = cl
			out = append(out, w)
		}
	}
	return out
}

// modelWideSizes are list sizes around the added page sizes (7 and 10
// asked, 50 and 100 a registry's own) and where the widened model found
// its faults (370).
var modelWideSizes = []int{7, 10, 11, 50, 51, 100, 101, 150, 200, 201, 370}

// TestListingModelWide checks the property of TestListingModel, for the
// whole list, on every behaviour of modelWideBehaviours at every size of
// modelWideSizes. It found a registry that caps n, ignores last, pages by
// cursor with Links carrying the n asked and leaves the Link off a full
// page read as 300 of its 370 tags, and an error on a registry that cuts
// pages at 100 whatever n asks.
func TestListingModelWide(t *testing.T) {
	all := modelWideBehaviours()
	t.Logf("%d behaviours", len(all))
	sweepModel(t, all, modelWideSizes)
}

// A registry that lists its tags in descending order, takes last as a
// lexical bound over it, sends pages of a size of its own past the n
// asked (50 or 100 for 25) and links each: the page its first page's Link
// led to held only tags read (every answer to a last starts again at its
// highest tag), and the whole reading took it for the list's end, as a
// registry ignoring n sends its whole list at once: 50 (or 100) of 370
// tags, no error. So did one that cuts its pages by bytes too (47 of 51).
// A Link after a page of new tags says there is more: the listing fails.
func TestListingModelOwnSizeLinkedToNothingNewFails(t *testing.T) {
	cases := []struct {
		b    modelBehaviour
		size int
	}{
		{modelBehaviour{order: 1, last: 0, link: 1, small: true, fixed: 1}, 370},        // reversed/last-lexical/link-last/fixed50/n25
		{modelBehaviour{order: 1, last: 7, link: 3, small: true, fixed: 2}, 370},        // reversed/last-skip/link-relative/fixed100/n25
		{modelBehaviour{order: 1, last: 0, link: 1, size: 3, small: true, vary: 1}, 51}, // reversed/last-lexical/link-last/all/n25/bytes-26-a-name
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%d", tc.b, tc.size), func(t *testing.T) {
			sorted := spread(modelCatalog(), tc.size)
			for _, mc := range runModel(t, tc.b, sorted, []TagRange{{}}) {
				if mc.err == nil {
					t.Errorf("%s client: %d of %d tags and no error, want an error", mc.how, len(mc.got), len(sorted))
				} else if msg := mc.err.Error(); !strings.Contains(msg, "held no tag not read") {
					t.Errorf("%s client: error %q does not say the linked page held no tag not read", mc.how, msg)
				}
			}
		})
	}
}
