package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// The provider through the Terraform CLI against CNCF distribution v3's own
// registry, each version the tests run (built by .ci/tool registry
// VERSION; skipped without it unless PREFECTIMAGE_REQUIRE_REAL_REGISTRY=1),
// over HTTPS with its CA and a registry_auth block, holding Prefect's
// 13,512 tags: a plan of the fleet's kinds of selectors (a minor, ~> 2.20
// with its spans of three-digit minors, an exact release, every release)
// pins what selection over the whole catalog picks, and a second plan is
// empty.
func TestAccRealV3Registry_fleetPicks(t *testing.T) {
	isolateHome(t)
	for _, version := range distributiontest.V3Versions {
		t.Run("v"+version, func(t *testing.T) {
			s := distributiontest.StartV3(t, version, "")
			digest, err := s.SeedAlike(prefectRepo, tagcatalog.Prefect())
			if err != nil {
				t.Fatal(err)
			}
			fleetPicks(t, realProviderConfig(s, caLine(s)+authBlock(s.Host, s.Username, s.Password)), s.Repository(prefectRepo), digest)
		})
	}
}

// fleetPicks applies providerConfig, whose repository (repo) holds
// Prefect's whole catalog at one index (digest), with a data source for
// each kind of the fleet's selectors and a resource: each pins what
// selection over the whole catalog picks, and a second plan is empty.
func fleetPicks(t *testing.T, providerConfig, repo, digest string) {
	t.Helper()
	whole := prefecttag.NewCatalog(tagcatalog.Prefect())
	selectors := []struct{ name, versions, python, flavor string }{
		{"minor", "~> 3.8.0", "3.12", ""},
		{"minor_k8s", "~> 3.8.0", "3.13", "kubernetes"},
		{"spans", "~> 2.20", "3.11", ""},
		{"exact", "3.7.8", "3.12", ""},
		{"range", ">= 3.4, < 3.5", "", "conda"},
		{"any", "", "", ""},
	}
	var config strings.Builder
	config.WriteString(providerConfig)
	var checks []statecheck.StateCheck
	picked := map[string]string{}
	for _, sel := range selectors {
		fmt.Fprintf(&config, "\ndata \"prefectimage_pin\" %q {\n", sel.name)
		for attr, v := range map[string]string{"prefect_version": sel.versions, "python_version": sel.python, "flavor": sel.flavor} {
			if v != "" {
				fmt.Fprintf(&config, "  %s = %q\n", attr, v)
			}
		}
		config.WriteString("}\n")
		parsed, err := prefecttag.ParseSelector(sel.versions, sel.python, sel.flavor, false)
		if err != nil {
			t.Fatal(err)
		}
		want, err := whole.Select(parsed)
		if err != nil {
			t.Fatalf("%+v: %v", sel, err)
		}
		picked[sel.name] = want.Name
		checks = append(checks,
			statecheck.ExpectKnownValue("data.prefectimage_pin."+sel.name, tfjsonpath.New("tag"), knownvalue.StringExact(want.Name)),
			statecheck.ExpectKnownValue("data.prefectimage_pin."+sel.name, tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+digest)))
	}
	config.WriteString(`
resource "prefectimage_pin" "held" {
  prefect_version = "~> 3.8.0"
  python_version  = "3.12"
}
`)
	checks = append(checks, statecheck.ExpectKnownValue("prefectimage_pin.held", tfjsonpath.New("tag"), knownvalue.StringExact(picked["minor"])))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config.String(),
			ConfigStateChecks: checks,
		}, {
			Config:           config.String(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}
