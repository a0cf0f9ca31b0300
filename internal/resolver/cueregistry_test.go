package resolver

import (
	"math"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/ociservertest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// On CUE's OCI registry (internal/ociservertest), each paging of
// ociservertest.Pagings, seeded with Prefect's 13,512 tags: every selector
// of the 45-selector set, one after another on one resolver, and the
// fleet's at once on a fresh one, as a plan resolves them, picks what
// selection over the whole catalog picks. Where it honours n, each costs
// no more tag list requests than on registrytest's double that pages as
// it does (every tag without n, n uncapped, a Link while tags remain, or
// none); where it refuses the n the provider asks, no more than a full
// listing and one page (the probe, sent with that n).
func TestCUERegistryPicksAsFullCatalog(t *testing.T) {
	tags := tagcatalog.Prefect()
	count := &registrytest.ListRequests{}
	for _, paging := range ociservertest.Pagings() {
		t.Run(paging.Name, func(t *testing.T) {
			s := ociservertest.Start(t, paging.Opts)
			if _, err := s.SeedAlike("prefecthq/prefect", tags); err != nil {
				t.Fatal(err)
			}
			full, oneByOne, fleet := picksCounted(t, s.Repository("prefecthq/prefect"), count, countingClient(t, count))
			limitOne, limitFleet := full+1, full+1
			if m := paging.Opts.MaxListPageSize; m == 0 || m >= 1000 {
				opts := []registrytest.Option{registrytest.WithEveryTagWithoutN(), registrytest.WithMaxPageSize(math.MaxInt)}
				if paging.Opts.OmitLinkHeaderFromResponses {
					opts = append(opts, registrytest.WithoutLink())
				}
				double := registrytest.Prefect(t, opts...)
				_, limitOne, limitFleet = picksCounted(t, double.Host()+"/prefecthq/prefect", count, countingClient(t, count))
			}
			if oneByOne > limitOne || fleet > limitFleet {
				t.Errorf("%d tag list requests one after another and %d at once, want at most %d and %d (a full listing: %d)",
					oneByOne, fleet, limitOne, limitFleet, full)
			}
		})
	}
}
