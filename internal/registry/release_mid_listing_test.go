package registry_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A guard (it passed): a release published while a plan lists the tags
// (new tags, not re-pushed ones) gives each pin what selection over the
// catalog before or after the release picks, with no error, on registries
// in lexical order (by last, or by an offset cursor, which lists the
// boundary tag twice after the insertion), in push order (last by
// position, or an offset cursor) and newest first; whether the release
// comes after the first, third or thirteenth tag list request.
func TestReleasePublishedMidListing(t *testing.T) {
	cat := tagcatalog.Prefect()
	release := []string{"3.8.5-python3.12", "3.8.5-python3.10-conda", "3.8.5-python3.11-kubernetes", "3.8.5-python3.14",
		"3.8.5-python3.14-kubernetes", "2.20.26-python3.11-kubernetes", "2.20.26-python3.9", "3.4.26-python3.14", "3.1.16-python3.11-conda"}
	lexical := func(tags []string) []string { return slices.Sorted(slices.Values(tags)) }
	newestFirst := func(tags []string) []string { out := pushOrder(tags); slices.Reverse(out); return out }
	orders := []struct {
		name       string
		order      func([]string) []string
		offsets    bool
		positional bool
	}{
		{"lexical", lexical, false, false},
		{"lexical, offset cursor", lexical, true, false},
		{"push order, last by position", pushOrder, false, true},
		{"push order, offset cursor", pushOrder, true, false},
		{"newest first, last by position", newestFirst, false, true},
	}
	withRelease := append(slices.Clone(cat), release...)
	for _, ord := range orders {
		for _, k := range []int{1, 3, 13} {
			t.Run(fmt.Sprintf("%s, after request %d", ord.name, k), func(t *testing.T) {
				o := &specDouble{repo: "prefecthq/prefect", tags: ord.order(cat), pageSize: 100, maxN: 100, offsets: ord.offsets, positional: ord.positional}
				o.onList = func(o *specDouble, i int) {
					if i == k {
						// Where the registry's order puts the new tags.
						o.tags = ord.order(withRelease)
					}
				}
				serveSpecDouble(t, o)
				specDoublePicks(t, o, cat, withRelease)
			})
		}
	}
}
