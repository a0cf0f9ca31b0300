package registry

import (
	"context"
	"slices"
	"testing"
)

// The registries that modelBehaviour.unprovable leaves out of the
// property, but one class, are read as smaller ones: where the reader
// returns another set than the catalog, the same registry holding only the
// set it returned (its order and the rest of its behaviour kept, its Links
// as they are or, where they are not the same, off its last full page or
// on a full last page too) answers every request the reader asked exactly
// alike (status, Link and tags). No reader asking those requests can tell
// the two apart, and none that reads the smaller one right reads this one
// right: the exclusions are proven so, not assumed, and one a reader could
// tell apart (no twin) fails here.
//
// Left out: a registry cutting its pages by bytes and leaving the Link off
// the last page it cut full. Where it pages by a cursor and a page was
// asked one name shorter already, its answers after differ from every such
// twin's (its Link rule counts the tags past the page, which a twin holding
// fewer does not have): the reader takes its page short of the one asked
// shorter for the end, an assumption the reliability guide names.
func TestListingModelUnprovableHaveTwins(t *testing.T) {
	base := modelCatalog()
	var behaviours []modelBehaviour
	behaviours = append(behaviours, modelBehaviours()...)
	behaviours = append(behaviours, modelOddBehaviours()...)
	behaviours = append(behaviours, modelWideBehaviours()...)
	for _, size := range []int{26, 51, 101, 201, 370} {
		sorted := spread(base, size)
		left, twins := 0, 0
		for _, b := range behaviours {
			if b.unprovable(sorted) == "" || modelVaries[b.vary] != modelVaries[0] && b.linkOff {
				continue
			}
			left++
			reg := &modelRegistry{list: b.list(sorted)}
			c, ref := modelClient(t, reg, b.clientN())
			got, err := c.ListTags(context.Background(), ref)
			if err != nil || slices.Equal(got, sorted) {
				continue // an error or the catalog: the property holds
			}
			twins++
			if q, ok := twinAnswersAlike(reg, got); !ok {
				t.Errorf("%s, %d tags: read as %d tags with no error, but the same registry holding those answers %q otherwise: a reader could tell the two apart", b, size, len(got), q)
			}
		}
		t.Logf("%d tags: %d behaviours left out, %d of them read as a smaller registry, each with its twin", size, left, twins)
	}
}

// twinAnswersAlike reports whether reg's registry, its order kept but
// holding only the tags of got (each as often as it lists it), answers
// every request reg was asked as reg did, with its Links as reg's or, where
// reg's are not, off its last full page or on a full last page too; else
// the first request it answers otherwise.
func twinAnswersAlike(reg *modelRegistry, got []string) (string, bool) {
	first := ""
	var twins []reviewList
	for _, off := range []bool{reg.list.linkOff, !reg.list.linkOff} {
		for _, end := range []bool{reg.list.linkEnd, !reg.list.linkEnd} {
			twin := reg.list
			twin.linkOff, twin.linkEnd = off, end
			twins = append(twins, twin)
		}
	}
	for _, twin := range twins {
		twin.order = slices.DeleteFunc(slices.Clone(twin.order), func(t string) bool { return !slices.Contains(got, t) })
		alike := true
		for _, q := range reg.asked {
			head, tags := answerTo(reg.list, q)
			twinHead, twinTags := answerTo(twin, q)
			if head != twinHead || !slices.Equal(tags, twinTags) {
				if first == "" {
					first = q
				}
				alike = false
				break
			}
		}
		if alike {
			return "", true
		}
	}
	return first, false
}
