package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Writing a default out (flavor = "standard") is no change of the selector:
// it plans nothing, and on_drift = "warn" still holds the pin afterwards.
func TestAccPinResource_defaultWrittenOutKeepsOnDrift(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	before := `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "warn"`
	after := before + `
  flavor          = "standard"`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pinConfig(reg, before),
		}, {
			// Writing out the default changes nothing: the plan is empty.
			Config: pinConfig(reg, after),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}, {
			// The tag is re-pushed; on_drift = "warn" must hold the pin.
			PreConfig: push(t, reg, "3.4.2-python3.12"),
			Config:    pinConfig(reg, after),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}},
	})
}

// After a default is written out, a plan with the registry unreachable
// still warns and goes on.
func TestAccPinResource_defaultWrittenOutRegistryDownWarns(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	before := `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"`
	after := before + `
  flavor          = "standard"`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pinConfig(reg, before),
		}, {
			Config: pinConfig(reg, after),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}, {
			PreConfig: func() { reg.Close() },
			Config:    pinConfig(reg, after),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}},
	})
}

// Import, then a config that spells the repository out: the selector matches
// the imported one, so a registry outage later only warns.
func TestAccPinResource_importWithRepositoryRegistryDownWarns(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	config := pinConfig(reg, `  repository = "`+repo+`"
  tag        = "`+tag+`"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{importPin(config, repo+":"+tag+"@"+mustDigest(t, reg, tag)), {
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
		}, {
			PreConfig: func() { reg.Close() },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
		}},
	})
}

// Changing the provider's repository (say, to a mirror) moves every pin that
// sets none to the new repository.
func TestAccPinResource_providerRepositoryChangeMovesPin(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	if err := reg.Seed("acme/prefect", driftTags); err != nil {
		t.Fatal(err)
	}
	mirror := reg.Host() + "/acme/prefect"
	body := `
resource "prefectimage_pin" "test" {
  python_version = "3.12"
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + body,
		}, {
			Config: `
provider "prefectimage" {
  repository = "` + mirror + `"
}
` + body,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("repository"), knownvalue.StringExact(mirror)),
			},
		}},
	})
}

// A provider repository unknown at plan time is never replaced by the
// built-in default: the pin is resolved at apply, against the repository
// the user named.
func TestAccPinResource_unknownProviderRepositoryResolvedAtApply(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfigKnownAtApply(repo, `max_retries = 0`, `request_timeout = "2s"`) + `
resource "prefectimage_pin" "test" {
  python_version = "3.12"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("repository"), knownvalue.StringExact(repo)),
			},
		}},
	})
}

// An import cannot see the configuration, so it records on_drift's default,
// "update": with on_drift = "warn" in the config, the plan after the import
// updates on_drift alone, and the pin stays as imported (documented).
func TestAccPinResource_importRecordsOnDriftUpdate(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	config := pinConfig(reg, `  tag      = "`+tag+`"
  on_drift = "warn"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{importPin(config, repo+":"+tag+"@"+mustDigest(t, reg, tag)), {
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(pinAddress, tfjsonpath.New("on_drift"), knownvalue.StringExact("warn")),
				plancheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(mustDigest(t, reg, tag))),
			}},
		}, {
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}},
	})
}

// Import by digest alone: tagged_ref is null (there is no tag), not "".
func TestAccPinResource_importByDigestHasNoTaggedRef(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             pinConfig(reg, `  tag = "`+tag+`"`),
			ResourceName:       pinAddress,
			ImportState:        true,
			ImportStatePersist: true,
			ImportStateId:      repo + "@" + mustDigest(t, reg, tag),
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if v, ok := states[0].Attributes["tagged_ref"]; ok && v == "" {
					return fmt.Errorf("tagged_ref is the empty string, want null")
				}
				return nil
			},
		}},
	})
}
