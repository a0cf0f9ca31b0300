package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A pin held off upstream with platform_digests in state (upstream lacks a
// required platform, or on_drift = "warn" holds a re-push) reads upstream's
// platforms once: a later refresh that finds upstream at the same digest
// takes them from what the earlier one recorded, so it costs no manifest
// GET (a pull on Docker Hub) on every plan while the pin is held, and the
// warnings still name the platforms.
func TestAccPinResource_heldPinNoGetPerPlan(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	rec := &diagRecorder{}
	for _, onDrift := range []string{"update", "warn"} {
		t.Run(onDrift, func(t *testing.T) {
			config := guardedConfig(reg, onDrift)
			push := pushPlatforms(t, reg, rec, "3.4.2-python3.12", "linux/arm64")
			if onDrift == "warn" {
				push = func() {
					rec.reset()
					if _, err := reg.RepushPlatform(prefectRepo, "3.4.2-python3.12", "linux/arm64"); err != nil {
						t.Fatal(err)
					}
				}
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: rec.factories(),
				Steps: []resource.TestStep{{
					PreConfig: func() {
						if _, err := reg.Push(prefectRepo, "3.4.2-python3.12"); err != nil {
							t.Fatal(err)
						}
					},
					Config: config,
				}, {
					// Upstream moves; the pin holds, and this step's
					// refreshes read upstream's platforms.
					PreConfig: push,
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
					}},
				}, {
					// Upstream as it was: held, warned, and no GET.
					PreConfig: func() { rec.reset(); reg.ResetCounts() },
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
					}},
					Check: resource.ComposeTestCheckFunc(
						rec.expectWarning(`(?s)Upstream Image (Moved|Lacks Required Platforms): .*Platforms: .*linux/arm64 `+"sha256:[0-9a-f]{64} → "+`sha256:[0-9a-f]{64}`),
						expectGets(reg, "plans of a held pin whose upstream did not move again", func(c registrytest.Counts) bool { return c.Get == 0 && c.Head > 0 }),
					),
				}},
			})
		})
	}
}
