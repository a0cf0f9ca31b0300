package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A registry_auth password from a resource not created yet (a secret
// made in the same apply, or rotated: replaced) on a registry that refuses
// anonymous access. The plan cannot use the block, so a pin it would
// resolve (created, or with a changed selector) is planned as known after
// apply and resolved at apply with the credentials. Before, the plan
// resolved it anonymously and failed with 401 on every plan, so nothing
// ever created the password. A data source, read at plan time, fails and
// says why; a refresh warns so too.
func TestAccUnknowns_registryAuthKnownOnlyAtApply(t *testing.T) {
	isolateHome(t)
	const password = "Appl1ed-Passw0rd"
	reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
	repo := reg.Host() + "/" + prefectRepo
	config := func(trigger, selector, extra string) string {
		return fmt.Sprintf(`
resource "terraform_data" "pw" {
  input            = %[1]q
  triggers_replace = %[2]q
}

provider "prefectimage" {
  repository  = %[3]q
  max_retries = 1
  registry_auth {
    address  = %[4]q
    username = "me"
    password = terraform_data.pw.output
  }
}

resource "prefectimage_pin" "test" {
  prefect_version = %[5]q
  python_version  = "3.12"
}
%[6]s`, password, trigger, repo, reg.Host(), selector, extra)
	}
	knownAfterApply := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("digest")),
		plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("ref")),
	}}
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            config("a", "~> 3.4.0", ""),
			ConfigPlanChecks:  knownAfterApply,
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}, {
			// The password rotated (replaced) while the selector changed.
			PreConfig:         rec.reset,
			Config:            config("b", "~> 3.5.0", ""),
			ConfigPlanChecks:  knownAfterApply,
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.5.0-python3.12"),
			Check: rec.expectWarning(`(?s)Upstream Image Not Checked.*401.*The registry_auth block for ` +
				regexp.QuoteMeta(reg.Host()) + ` depends on a value known only after apply`),
		}, {
			Config: config("c", "~> 3.5.0", `
data "prefectimage_pin" "now" {
  tag = "3.4.1-python3.12"
}`),
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*` +
				wrapped("The registry_auth block for "+reg.Host()+" depends on a value known only after apply").String()),
		}},
	})
}
