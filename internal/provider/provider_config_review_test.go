package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// pinOn is a data source pinning one tag of prefectRepo on host.
func pinOn(host string) string {
	return fmt.Sprintf(`
data "prefectimage_pin" "test" {
  repository = %q
  tag        = "3.1.15-python3.12"
}`, host+"/"+prefectRepo)
}

// Provider settings known only after apply (a dynamic registry_auth whose
// for_each depends on a resource, an insecure_registries element from a
// resource) are not used at plan, with a warning, as a registry_auth block
// with an unknown password already was; they made Configure fail with
// "Value Conversion Error ... always an error in the provider".
func TestAccProvider_settingsKnownOnlyAfterApply(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	for name, block := range map[string]string{
		"dynamic registry_auth": fmt.Sprintf(`
  dynamic "registry_auth" {
    for_each = length(terraform_data.r.id) > 0 ? ["x"] : []
    content {
      address  = %q
      username = "me"
      password = "Dyn4mic-Passw0rd"
    }
  }`, reg.Host()),
		"insecure_registries element": `
  insecure_registries = ["registry.internal:5000", "${terraform_data.r.id}.internal"]`,
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: `
resource "terraform_data" "r" {}

provider "prefectimage" {` + block + `
}
` + pinOn(reg.Host()),
					Check: resource.TestCheckResourceAttr("data.prefectimage_pin.test", "tag", "3.1.15-python3.12"),
				}},
			})
		})
	}
}

// PREFECTIMAGE_REPOSITORY is only a default: a provider block that sets
// repository does not read it, so a stale or malformed value in the
// environment does not fail the run (it did, with Invalid Provider
// Configuration). Unset by the block, a malformed value is still an error.
func TestAccProvider_repositoryEnvOnlyWhenUnset(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	t.Setenv("PREFECTIMAGE_REPOSITORY", "https://ghcr.io/acme/prefect")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `data "prefectimage_pin" "test" { tag = "3.1.15-python3.12" }`,
			ExpectError: regexp.MustCompile(`(?s)PREFECTIMAGE_REPOSITORY.*URL scheme`),
		}, {
			Config: fmt.Sprintf(`
provider "prefectimage" {
  repository = %q
}
data "prefectimage_pin" "test" { tag = "3.1.15-python3.12" }`, reg.Host()+"/"+prefectRepo),
			Check: resource.TestCheckResourceAttr("data.prefectimage_pin.test", "tag", "3.1.15-python3.12"),
		}},
	})
}
