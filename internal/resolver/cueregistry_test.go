package resolver

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/ociservertest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
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
	whole := prefecttag.NewCatalog(tags)
	count := &registrytest.ListRequests{}
	client := func() *registry.Client {
		c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 1, Logger: count})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	check := func(sel diffSel, pin Pin, err error) {
		want := diffWant(whole, diffSelector(t, sel))
		got := pin.Tag
		if err != nil {
			got = "ERR"
		}
		if got != want {
			t.Errorf("%+v: picked %q (err %v), the whole catalog %q", sel, got, err, want)
		}
	}
	// resolve resolves the 45 selectors one after another, then the fleet
	// at once, on repo, and returns the tag list requests each sent.
	resolve := func(repo string) (oneByOne, fleet int) {
		count.Take()
		shared := New(client())
		for _, sel := range diffSelectors {
			pin, err := shared.Resolve(context.Background(), Request{Repository: repo, Selector: diffSelector(t, sel)})
			check(sel, pin, err)
		}
		oneByOne = count.Take()
		plan := New(client())
		var wg sync.WaitGroup
		for _, sel := range fleetSelectors {
			wg.Go(func() {
				pin, err := plan.Resolve(context.Background(), Request{Repository: repo, Selector: diffSelector(t, sel)})
				check(sel, pin, err)
			})
		}
		wg.Wait()
		return oneByOne, count.Take()
	}

	for _, paging := range ociservertest.Pagings() {
		t.Run(paging.Name, func(t *testing.T) {
			s := ociservertest.Start(t, paging.Opts)
			if _, err := s.SeedAlike("prefecthq/prefect", tags); err != nil {
				t.Fatal(err)
			}
			repo := s.Repository("prefecthq/prefect")
			ref, err := registry.ParseRepository(repo)
			if err != nil {
				t.Fatal(err)
			}
			count.Take()
			if _, err := client().ListTags(context.Background(), ref); err != nil {
				t.Fatal(err)
			}
			full := count.Take()
			oneByOne, fleet := resolve(repo)
			t.Logf("%d selectors one after another: %d tag list requests; the fleet's %d at once: %d; a full listing: %d",
				len(diffSelectors), oneByOne, len(fleetSelectors), fleet, full)

			limitOne, limitFleet := full+1, full+1
			if m := paging.Opts.MaxListPageSize; m == 0 || m >= 1000 {
				opts := []registrytest.Option{registrytest.WithEveryTagWithoutN(), registrytest.WithMaxPageSize(math.MaxInt)}
				if paging.Opts.OmitLinkHeaderFromResponses {
					opts = append(opts, registrytest.WithoutLink())
				}
				double := registrytest.New(t, opts...)
				if err := double.Seed("prefecthq/prefect", tags); err != nil {
					t.Fatal(err)
				}
				limitOne, limitFleet = resolve(double.Host() + "/prefecthq/prefect")
				t.Logf("on its double: %d one after another, %d at once", limitOne, limitFleet)
			}
			if oneByOne > limitOne || fleet > limitFleet {
				t.Errorf("%d tag list requests one after another and %d at once, want at most %d and %d (a full listing: %d)",
					oneByOne, fleet, limitOne, limitFleet, full)
			}
		})
	}
}
