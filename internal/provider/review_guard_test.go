package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// A review of the platform guard as a platform engineer meets it.

// An imported pin whose image lacks a required platform, while upstream's
// tag has since been re-pushed with every one: under on_drift = "update"
// the plan follows upstream to the good image (the pin then points at an
// image with every required platform), instead of failing on the pinned
// one with advice to leave the release out. Under "warn" and "error" the
// pinned image still fails the plan.
func TestAccReviewGuard_importedLackingFollowsGoodUpstream(t *testing.T) {
	isolateHome(t)
	reg := incidentRegistry(t)
	repo := reg.Host() + "/" + prefectRepo
	const bad = "2.20.21-python3.10"
	badDigest := mustDigest(t, reg, bad)
	config := func(onDrift string) string {
		return pinConfig(reg, `  tag = "`+bad+`"
  on_drift = "`+onDrift+`"
  required_platforms = `+bothPlatforms)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             pinConfig(reg, `  tag = "`+bad+`"`),
			ResourceName:       pinAddress,
			ImportState:        true,
			ImportStatePersist: true,
			ImportStateId:      repo + ":" + bad + "@" + badDigest,
		}, {
			// Upstream restores linux/amd64.
			PreConfig:   push(t, reg, bad),
			Config:      config("warn"),
			ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*` + wrapped(`which lacks the required linux/amd64; it has linux/arm64`).String()),
		}, {
			Config: config("update"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, bad)},
				expectPlannedString{"terraform_data.pool", "input", func() string { return repo + "@" + mustDigest(t, reg, bad) }},
			}},
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, bad),
				statecheck.StateCheck(expectPlatformDigests{pinAddress, platformDigestsOf(t, reg, bad)})),
		}},
	})
}
