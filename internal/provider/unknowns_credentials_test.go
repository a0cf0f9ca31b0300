package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A pin whose selector is unchanged gets platform or required_platforms
// newly set (so the plan reads the pinned image's platforms, with a GET)
// while the registry's registry_auth block is known only at apply (its
// password rotated). The plan cannot read them without the credentials:
// it plans them known after apply, to be read at apply with them, as a
// pin it would resolve is. Before, required_platforms planned
// platform_digests as null (read failed, "the next plan tries again") and
// the plan at apply, with the credentials, read them: "Provider produced
// inconsistent final plan" on every such apply; platform failed the plan
// with the registry's 401.
func TestAccUnknowns_registryAuthKnownOnlyAtApplyPlatforms(t *testing.T) {
	isolateHome(t)
	const password = "Appl1ed-Passw0rd"
	reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
	repo := reg.Host() + "/" + prefectRepo
	config := func(trigger, extra string) string {
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
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  %[5]s
}`, password, trigger, repo, reg.Host(), extra)
	}
	platformsAtApply := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
		plancheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact("3.4.2-python3.12")),
		plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("platform_digests")),
	}}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config("a", ""),
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}, {
			Config:           config("b", `required_platforms = ["linux/amd64"]`),
			ConfigPlanChecks: platformsAtApply,
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digests"), knownvalue.MapPartial(map[string]knownvalue.Check{
					"linux/amd64": knownvalue.NotNull()}))),
		}, {
			Config: config("c", ""), // platform_digests null again
		}, {
			Config:           config("d", `platform = "linux/amd64"`),
			ConfigPlanChecks: platformsAtApply,
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_ref"), knownvalue.NotNull())),
		}},
	})
}

// The registry_auth block known only at apply turns out wrong: the pin
// planned as known after apply is refused at apply with the registry's
// 401 naming the block's credentials, and nothing is recorded; with the
// right password the next apply creates it.
func TestAccUnknowns_registryAuthWrongAtApply(t *testing.T) {
	isolateHome(t)
	const password = "Appl1ed-Passw0rd"
	reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
	repo := reg.Host() + "/" + prefectRepo
	config := func(pw string) string {
		return fmt.Sprintf(`
resource "terraform_data" "pw" {
  input = %[1]q
}

provider "prefectimage" {
  repository  = %[2]q
  max_retries = 1
  registry_auth {
    address  = %[3]q
    username = "me"
    password = terraform_data.pw.output
  }
}

resource "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}`, pw, repo, reg.Host())
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config("wrong-" + password),
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*registry_auth block for`),
		}, {
			// Nothing was recorded: the pin is created now.
			Config: config(password),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionCreate),
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}},
	})
}

// An import block for a pin on a registry whose registry_auth block is
// known only at apply: the import checks the digest at plan time, without
// the block, and its refusal says the block was not used and why, as a
// data source's does. It read "This request used anonymous access.
// Credentials come from a registry_auth block for <host>", of a host that
// has one.
func TestAccUnknowns_registryAuthKnownOnlyAtApplyImport(t *testing.T) {
	isolateHome(t)
	const password = "Appl1ed-Passw0rd"
	reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
	repo := reg.Host() + "/" + prefectRepo
	digest, err := reg.Digest(prefectRepo, "3.4.2-python3.12")
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "pw" {
  input = %[1]q
}

provider "prefectimage" {
  repository  = %[2]q
  max_retries = 1
  registry_auth {
    address  = %[3]q
    username = "me"
    password = terraform_data.pw.output
  }
}

import {
  to = prefectimage_pin.test
  id = "%[2]s:3.4.2-python3.12@%[4]s"
}

resource "prefectimage_pin" "test" {
  tag = "3.4.2-python3.12"
}`, password, repo, reg.Host(), digest),
			ExpectError: regexp.MustCompile(`(?s)Nothing was imported.*401.*` +
				wrapped("The registry_auth block for "+reg.Host()+" depends on a value known only after apply").String()),
		}},
	})
}
