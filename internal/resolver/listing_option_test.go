package resolver

import (
	"context"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// rangesAsked lists ranges as asked, from the fake's whole list, and notes
// each range asked.
type rangesAsked struct {
	*fakeRegistry
	mu     sync.Mutex
	ranges []registry.TagRange
}

func (f *rangesAsked) ListTagRange(ctx context.Context, repo registry.Repository, r registry.TagRange) ([]string, error) {
	tags, _, err := f.ListTagRangeSoon(ctx, repo, r)
	return tags, err
}

func (f *rangesAsked) ListTagRangeSoon(ctx context.Context, repo registry.Repository, r registry.TagRange) ([]string, func(context.Context) ([]string, error), error) {
	f.mu.Lock()
	f.ranges = append(f.ranges, r)
	f.mu.Unlock()
	all, err := f.ListTags(ctx, repo)
	var in []string
	for _, t := range all {
		if (r.After == "" || t > r.After) && (r.Before == "" || t < r.Before) {
			in = append(in, t)
		}
	}
	return in, nil, err
}

// ListReleases lists every release tag whatever the selector; ListSpans
// (the default) only the selector's spans. Both pick the same tag.
func TestListingOptionDecidesTheRangesAsked(t *testing.T) {
	picked := ""
	for _, tc := range []struct {
		listing Listing
		release bool // the release range asked, not the selector's span
	}{
		{ListSpans, false},
		{ListReleases, true},
	} {
		reg := &rangesAsked{fakeRegistry: newFake()}
		pin, err := New(reg, WithListing(tc.listing)).Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Selector: selector(t, "~> 3.2.0", "3.12", "")})
		if err != nil {
			t.Fatalf("listing %d: %v", tc.listing, err)
		}
		if pin.Tag == "" || len(reg.ranges) != 1 {
			t.Fatalf("listing %d: tag %q from ranges %+v; want one range asked", tc.listing, pin.Tag, reg.ranges)
		}
		if picked != "" && pin.Tag != picked {
			t.Errorf("listing %d picked %s; the other %s", tc.listing, pin.Tag, picked)
		}
		picked = pin.Tag
		got := reg.ranges[0]
		if isRelease := got.After == releaseTags.After && got.Before == releaseTags.Before; isRelease != tc.release {
			t.Errorf("listing %d asked %+v; want the release range: %v", tc.listing, got, tc.release)
		}
	}
}
