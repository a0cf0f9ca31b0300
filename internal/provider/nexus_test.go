package provider

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Sonatype Nexus answers every manifest HEAD 404, though a GET serves the
// manifest (crazy-max/diun#1614, 2026; andrey-pohilko/registry-cli#14).
// Pins on it resolve, stay put while nothing moves and follow a re-push,
// read by GET; a tag that does not exist is still said not to.
func TestAccPinOnRegistryAnsweringHeadNotFound(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if registrytest.KindOf(r) == "head" {
				writeRegistryError(w, http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	repo := reg.Host() + "/" + prefectRepo
	config := pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"`) + `
data "prefectimage_pin" "moving" {
  tag = "3-latest"
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"), pinValues(t, reg, "data.prefectimage_pin.moving", repo, "3-latest")...),
		}, {
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}, {
			PreConfig: push(t, reg, "3.4.2-python3.12"),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, "3.4.2-python3.12")},
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}, {
			Config: providerConfig(reg) + `
data "prefectimage_pin" "missing" {
  tag = "3.9.9-python3.12"
}
`,
			ExpectError: regexp.MustCompile(`(?s)Image Tag Not Found.*\d+:\s+tag\s+=\s+"3.9.9-python3.12"`),
		}},
	})
}
