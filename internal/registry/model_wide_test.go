package registry

import "testing"

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
