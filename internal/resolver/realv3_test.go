package resolver

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// On CNCF distribution v3's own registry, each version the tests run
// (built by .ci/tool registry VERSION; skipped without it unless
// PREFECTIMAGE_REQUIRE_REAL_REGISTRY=1), seeded with Prefect's 13,512
// tags: every selector of the 45-selector set, one after another on one
// resolver, and the fleet's at once on a fresh one, as a plan resolves
// them, picks what selection over the whole catalog picks; the fleet's
// plan costs no more tag list requests than on the double that stands for
// v3.1 (registrytest's distribution-v3.1 shape), and on v3.0.0, whose skip
// of a tag past a last that is no tag the check between two first-page
// tags shows, no more than the ranges read until the check returns, the
// whole list, the probe and the check.
func TestRealV3PicksAsFullCatalog(t *testing.T) {
	tags := tagcatalog.Prefect()
	for _, version := range distributiontest.V3Versions {
		t.Run("v"+version, func(t *testing.T) {
			s := distributiontest.StartV3(t, version, "")
			if _, err := s.SeedAlike("prefecthq/prefect", tags); err != nil {
				t.Fatal(err)
			}
			count := &registrytest.ListRequests{}
			full, _, used := picksCounted(t, s.Repository("prefecthq/prefect"), count, func() *registry.Client {
				c, err := registry.New(registry.Config{
					Keychain:    authn.NewMultiKeychain(),
					CACertPEM:   []byte(s.CACertPEM),
					Credentials: []registry.Credential{{Host: s.Host, Username: s.Username, Password: s.Password}},
					MaxRetries:  1,
					Logger:      count,
				})
				if err != nil {
					t.Fatal(err)
				}
				return c
			})
			double := registrytest.Prefect(t, v3Double(t, version)...)
			_, _, onDouble := picksCounted(t, double.Host()+"/prefecthq/prefect", count, countingClient(t, count))
			t.Logf("on its double, the fleet at once: %d tag list requests", onDouble)
			limit := onDouble
			if version == "3.0.0" {
				// The fleet's plan lists 13 ranges (3.8, 3.4, 2.2 to 2.9,
				// ten 2.1x), disjoint; v3.0.0's skip shows only once the
				// check between two first-page tags returns, and until
				// then the ranges read on (their pages together at most a
				// full listing and a page per range), then the whole list
				// is read, with the probe and the check. Measured: 28 to
				// 36 on this server, as the check returns sooner or later.
				limit = 2*full + 13 + 2
			}
			if used > limit {
				t.Errorf("the fleet's plan sent %d tag list requests, want at most %d (a full listing: %d; on the double: %d)", used, limit, full, onDouble)
			}
		})
	}
}

// picksCounted lists repo, which holds Prefect's catalog, whole, then
// resolves every selector of the 45-selector set one after another on one
// resolver, and the fleet's at once on a fresh one, as a plan resolves
// them, on clients from client whose tag list requests count counts. Each
// must pick what selection over the whole catalog picks. It returns the
// tag list requests of the full listing, of the 45 and of the fleet.
func picksCounted(t *testing.T, repo string, count *registrytest.ListRequests, client func() *registry.Client) (full, oneByOne, fleet int) {
	t.Helper()
	whole := prefecttag.NewCatalog(tagcatalog.Prefect())
	check := func(sel diffSel, pin Pin, err error) {
		want := diffWant(whole, diffSelector(t, sel))
		got := pin.Tag
		if err != nil {
			got = "ERR"
		}
		if got != want {
			t.Errorf("%s %+v: picked %q (err %v), the whole catalog %q", repo, sel, got, err, want)
		}
	}
	ref, err := registry.ParseRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	count.Take()
	if _, err := client().ListTags(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	full = count.Take()

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
	fleet = count.Take()
	t.Logf("%s: %d selectors one after another: %d tag list requests; the fleet's %d at once: %d; a full listing: %d",
		repo, len(diffSelectors), oneByOne, len(fleetSelectors), fleet, full)
	return full, oneByOne, fleet
}

// countingClient makes anonymous clients whose tag list requests count
// counts.
func countingClient(t *testing.T, count *registrytest.ListRequests) func() *registry.Client {
	return func() *registry.Client {
		c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 1, Logger: count})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// v3Double is the options of the registrytest shape that stands for
// distribution v<version>.
func v3Double(t *testing.T, version string) []registrytest.Option {
	t.Helper()
	name := map[string]string{"3.0.0": "distribution-v3.0", "3.1.2": "distribution-v3.1"}[version]
	for _, sh := range registrytest.Shapes() {
		if sh.Name == name {
			return sh.Opts
		}
	}
	t.Fatalf("registrytest.Shapes has no %q for distribution v%s", name, version)
	return nil
}
