package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A review of the resource's lifecycle as a Terraform user meets it.

// The pinned tag deleted upstream: the selector now picks an older image
// (3.4.1 where the pin holds 3.4.2). That is no newer release and no
// re-push: the pin holds, the plan goes on, and a warning says the pinned
// tag is gone, under every on_drift.
func TestAccReviewLifecycle_pinnedTagGoneHolds(t *testing.T) {
	for _, onDrift := range []string{"update", "warn", "error"} {
		t.Run(onDrift, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			repo := reg.Host() + "/" + prefectRepo
			rec := &diagRecorder{}
			const tag = "3.4.2-python3.12"
			config := pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "`+onDrift+`"`)
			pinned := mustDigest(t, reg, tag)
			var steps []resource.TestStep
			if onDrift == "update" {
				// A newer release than the pin is followed again.
				steps = append(steps, resource.TestStep{
					PreConfig: push(t, reg, "3.4.3-python3.12"),
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
						expectPlannedString{pinAddress, "tag", func() string { return "3.4.3-python3.12" }},
					}},
					ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.3-python3.12"),
				})
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: rec.factories(),
				Steps: append([]resource.TestStep{{
					Config: config,
				}, {
					PreConfig: func() {
						rec.reset()
						if err := reg.Delete(prefectRepo, tag); err != nil {
							t.Fatal(err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact(tag)),
						statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(pinned)),
						statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+pinned)),
					},
					Check: rec.expectWarning(`(?s)Pinned Tag No Longer Published: The pinned tag ` + regexp.QuoteMeta(repo+":"+tag) +
						` is no longer in the repository's tag list.*older .*3\.4\.1-python3\.12.*The pin holds ` + regexp.QuoteMeta(repo+":"+tag+"@"+pinned)),
				}}, steps...),
			})
		})
	}
}
