package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Bad provider configuration is refused on the attribute, before any
// registry is contacted.
func TestAccProvider_invalidConfiguration(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	cases := []invalidCase{ // bodies are provider blocks
		{"timeout not a duration", `request_timeout = "thirty"`, `(?s)Invalid Duration.*"thirty" is not a positive duration`},
		{"negative timeout", `request_timeout = "-5s"`, `Invalid Duration`},
		{"too many retries", `max_retries = 50`, `(?s)max_retries.*between 0 and 10`},
		{"insecure registry with scheme", `insecure_registries = ["https://registry.internal:5000"]`, `(?s)Invalid Registry Host.*no\s+https://`},
		{"insecure registry with bad port", `insecure_registries = ["registry.internal:99999"]`, `Invalid Registry Host`},
		{"not a PEM", `ca_certificate_pem = "hello"`, `(?s)Invalid CA Certificate.*no PEM`},
		{"repository with digest", `repository = "prefecthq/prefect@sha256:abc"`, `Invalid Repository`},
		{"auth address with path", `registry_auth {
  address  = "ghcr.io/acme"
  username = "u"
  password = "p"
}`, `Invalid Registry Host`},
		{"auth without username", `registry_auth {
  address  = "ghcr.io"
  username = ""
  password = "p"
}`, `(?s)username.*at least 1`},
	}
	expectInvalid(t, reg, func(block string) string {
		return fmt.Sprintf("provider \"prefectimage\" {\n%s\n}\n", block) +
			fmt.Sprintf(`data "prefectimage_pin" "test" {
  repository = %q
  tag        = "3.1.15-python3.12"
}`, reg.Host()+"/"+prefectRepo)
	}, cases)
}

// The provider's repository comes from PREFECTIMAGE_REPOSITORY when the
// block sets none, and the block wins over the environment.
func TestAccProvider_repositoryFromEnvironment(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	repo := reg.Host() + "/" + prefectRepo
	t.Setenv("PREFECTIMAGE_REPOSITORY", repo)
	address := "data.prefectimage_pin.test"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            `data "prefectimage_pin" "test" { tag = "3.1.15-python3.12" }`,
			ConfigStateChecks: pinValues(t, reg, address, repo, "3.1.15-python3.12"),
		}, {
			Config: `
provider "prefectimage" {
  repository = "127.0.0.1:1/nowhere/prefect"
  max_retries = 0
}
data "prefectimage_pin" "test" { tag = "3.1.15-python3.12" }`,
			ExpectError: regexp.MustCompile(`127\.0\.0\.1:1`),
		}},
	})
}
