package provider

import (
	"fmt"
	"testing"

	"cuelabs.dev/go/oci/ociregistry/ociserver"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/ociservertest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// The provider through the Terraform CLI against CUE's OCI registry
// (internal/ociservertest) holding Prefect's 13,512 tags, as it comes and
// refusing the n the provider asks (internal/resolver's
// TestCUERegistryPicksAsFullCatalog runs every paging): a plan of the fleet's kinds of selectors
// pins what selection over the whole catalog picks, and a second plan is
// empty.
func TestAccCUERegistry_fleetPicks(t *testing.T) {
	isolateHome(t)
	for name, opts := range map[string]ociserver.Options{"as-it-comes": {}, "max-999": {MaxListPageSize: 999}} {
		t.Run(name, func(t *testing.T) {
			s := ociservertest.Start(t, opts)
			digest, err := s.SeedAlike(prefectRepo, tagcatalog.Prefect())
			if err != nil {
				t.Fatal(err)
			}
			config := fmt.Sprintf("provider \"prefectimage\" {\n  repository = %q\n  max_retries = 1\n}\n", s.Repository(prefectRepo))
			fleetPicks(t, config, s.Repository(prefectRepo), digest)
		})
	}
}
