package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
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
			Config: `data "prefectimage_pin" "test" { tag = "3.1.15-python3.12" }`,
			// The value is named once (the parser's words named it again).
			ExpectError: regexp.MustCompile(`PREFECTIMAGE_REPOSITORY\s+environment\s+variable\s+holds\s+"https://ghcr.io/acme/prefect",\s+which\s+is\s+not\s+a\s+repository:\s+it\s+includes\s+a\s+URL\s+scheme`),
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

// Two registry_auth blocks for one host (Docker Hub's three names are one
// host): the first is used, and the plan says that the other is ignored,
// on its address. Before, the second block was dropped in silence, and a
// 401 named only "configured credentials for" the host.
func TestAccProvider_registryAuthDuplicateHost(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"}, registrytest.WithBasicAuth("me", "R1ght-Passw0rd"))
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  registry_auth {
    address  = %[1]q
    username = "me"
    password = "R1ght-Passw0rd"
  }
  registry_auth {
    address  = "docker.io"
    username = "hub"
    password = "Hub-Passw0rd"
  }
  registry_auth {
    address  = %[2]q
    username = "me"
    password = "Wr0ng-Passw0rd"
  }
  registry_auth {
    address  = "registry-1.docker.io"
    username = "hub2"
    password = "Hub2-Passw0rd"
  }
}
`, reg.Host(), strings.ToUpper(reg.Host())) + pinOn(reg.Host()),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr("data.prefectimage_pin.test", "tag", "3.1.15-python3.12"),
				rec.expectWarning(`(?s)Duplicate Registry Credentials.*registry_auth\[0\].*`+regexp.QuoteMeta(reg.Host())),
				rec.expectWarning(`(?s)Duplicate Registry Credentials.*registry_auth\[1\].*docker\.io`),
				func(*terraform.State) error {
					for _, d := range rec.diags {
						for _, p := range []string{"R1ght-Passw0rd", "Wr0ng-Passw0rd", "Hub-Passw0rd", "Hub2-Passw0rd"} {
							if strings.Contains(d, p) {
								return fmt.Errorf("a diagnostic holds a password: %s", d)
							}
						}
					}
					return nil
				},
			),
		}},
	})
}

// An empty password (an unset variable, a TF_VAR_ missing in CI) is
// refused on the attribute at validate time, as an empty username is,
// instead of being sent as a login that wins over the Docker config and
// gets a 401. A token-only login writes any user name with the token.
func TestAccProvider_registryAuthEmptyPassword(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	expectInvalid(t, reg, func(block string) string {
		return "provider \"prefectimage\" {\n" + block + "\n}\n" + pinOn(reg.Host())
	}, []invalidCase{{"empty password", fmt.Sprintf(`registry_auth {
  address  = %q
  username = "me"
  password = ""
}`, reg.Host()), `(?s)registry_auth\[0\]\.password.*at least 1`}})
}

// PREFECTIMAGE_REPOSITORY holding credentials is refused without quoting
// them.
func TestAccProvider_repositoryEnvWithCredentials(t *testing.T) {
	isolateHome(t)
	t.Setenv("PREFECTIMAGE_REPOSITORY", "https://me:Env-T0ken-Passw0rd@ghcr.io/acme/prefect")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `data "prefectimage_pin" "test" { tag = "3.1.15-python3.12" }`,
			ExpectError: regexp.MustCompile(`(?s)PREFECTIMAGE_REPOSITORY\s+environment\s+variable\s+holds\s+a\s+value,.*holds\s+credentials.*registry_auth`),
		}},
	})
}

// A ca_certificate_pem known only after apply (read from a resource) is
// not trusted at plan, and the plan says so: before, it was dropped in
// silence, and a plan against a registry behind that CA failed with
// advice to add the CA with ca_certificate_pem, which was done.
func TestAccProvider_caCertificateKnownOnlyAfterApply(t *testing.T) {
	rec := planWithSettingsKnownAfterApply(t, `
resource "terraform_data" "ca" { input = "x" }

provider "prefectimage" {
  ca_certificate_pem = terraform_data.ca.id
}
`)
	if err := rec.expectWarning(`(?s)CA Certificate Not Yet Known.*ca_certificate_pem`)(nil); err != nil {
		t.Error(err)
	}
}

// planWithSettingsKnownAfterApply plans a pin under a provider block
// (with the resources it reads) whose settings are known only after
// apply, and returns what the plan said.
func planWithSettingsKnownAfterApply(t *testing.T, providerBlock string) *diagRecorder {
	t.Helper()
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:             providerBlock + pinOn(reg.Host()),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	return rec
}

// request_timeout, max_retries and listing_timeout known only after apply
// keep their defaults in this run, and the plan warns on each.
func TestAccProvider_timeoutsKnownOnlyAfterApply(t *testing.T) {
	rec := planWithSettingsKnownAfterApply(t, `
resource "terraform_data" "later" { input = "x" }

provider "prefectimage" {
  request_timeout = length(terraform_data.later.id) > 0 ? "20s" : "10s"
  max_retries     = length(terraform_data.later.id) > 0 ? 2 : 1
  listing_timeout = length(terraform_data.later.id) > 0 ? "2m" : "1m"
}
`)
	for _, name := range []string{"request_timeout", "max_retries", "listing_timeout"} {
		if err := rec.expectWarning(`(?s)Provider Setting Not Yet Known.*` + name + ` depends on a value known only after apply`)(nil); err != nil {
			t.Error(err)
		}
	}
}
