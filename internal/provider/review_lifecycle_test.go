package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A review of the resource's lifecycle as a Terraform user meets it.

// betweenPlanAndApply is a PreApply plan check that runs do after the plan
// is saved and before it is applied: upstream moving while a saved plan
// waits for review.
type betweenPlanAndApply func()

func (do betweenPlanAndApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	do()
}

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

// A saved plan that follows a re-push applies what it showed, though the
// tag moved once more between plan and apply (a review in CI takes hours,
// and Prefect re-pushes a release's tags one after another). Terraform
// plans again at apply and refuses a plan that differs from the saved one
// ("Provider produced inconsistent final plan"), so the plan must follow
// the upstream_* the refresh recorded, not ask the registry again. The
// same with platform and required_platforms, whose platforms are read by
// digest.
func TestAccReviewLifecycle_savedDriftPlanAppliesAsPlanned(t *testing.T) {
	for name, extra := range map[string]string{
		"selector":           "",
		"required_platforms": "\n  platform = \"linux/arm64\"\n  required_platforms = " + bothPlatforms,
	} {
		t.Run(name, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			repo := reg.Host() + "/" + prefectRepo
			const tag = "3.4.2-python3.12"
			config := pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"`+extra)
			var planned string
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: config,
				}, {
					PreConfig: push(t, reg, tag),
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
						expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
						betweenPlanAndApply(func() { planned = mustDigest(t, reg, tag); push(t, reg, tag)() }),
					}},
					// The plan after apply sees the second re-push.
					ExpectNonEmptyPlan: true,
					ConfigStateChecks: []statecheck.StateCheck{
						expectStateString{pinAddress, "digest", func() string { return planned }},
						expectStateString{pinAddress, "tagged_ref", func() string { return repo + ":" + tag + "@" + planned }},
						expectStateString{pinAddress, "upstream_digest", func() string { return planned }},
					},
					Check: func(*terraform.State) error {
						if planned == mustDigest(t, reg, tag) {
							return fmt.Errorf("the second re-push did not change the digest; the test proves nothing")
						}
						return nil
					},
				}, {
					// The next plan sees the second re-push and follows it.
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
						expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
					}},
					ConfigStateChecks: pinValues(t, reg, pinAddress, repo, tag),
				}},
			})
		})
	}
}

// on_drift from a value known only at apply (another resource's output),
// while upstream has moved: the plan cannot tell whether the pin follows,
// so it shows the pin as known after apply, and the apply decides with the
// value on_drift turns out to have. Planned as "update", the pin followed in
// the plan, and under "warn" the apply stopped with "Provider produced
// inconsistent final plan".
func TestAccReviewLifecycle_onDriftKnownOnlyAtApply(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	config := func(onDrift string) string {
		return providerConfig(reg) + `
resource "terraform_data" "on_drift" {
  input = "` + onDrift + `"
}

resource "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = terraform_data.on_drift.output
}
`
	}
	var pinned string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config("update"),
			Check:  func(*terraform.State) error { pinned = mustDigest(t, reg, tag); return nil },
		}, {
			// Re-pushed, and on_drift becomes "warn" in the same apply:
			// the pin holds.
			PreConfig: push(t, reg, tag),
			Config:    config("warn"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("digest")),
				plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("ref")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("on_drift"), knownvalue.StringExact("warn")),
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				expectStateString{pinAddress, "ref", func() string { return repo + "@" + pinned }},
				expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)},
			},
		}, {
			// And back to "update" the same way: the pin follows at apply.
			Config: config("update"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("digest")),
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, tag),
		}},
	})
}

// A selector without python_version takes the highest Python of the
// release: an image of the pinned release for a higher Python is the move,
// and the warning says so instead of calling it a newer release.
func TestAccReviewLifecycle_higherPythonIsNoNewerRelease(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	config := pinConfig(reg, `  prefect_version = "~> 3.4.0"
  on_drift        = "warn"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}, {
			PreConfig: func() { rec.reset(); push(t, reg, "3.4.2-python3.13")() },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			Check: rec.expectWarning(`Upstream Image Moved: An image of the pinned release 3\.4\.2 for a higher Python now meets the selector: ` +
				regexp.QuoteMeta(repo+":3.4.2-python3.13") + ` \(sha256:[0-9a-f]{64}\), while the pin holds ` + regexp.QuoteMeta(repo+":3.4.2-python3.12") + ` \(sha256:[0-9a-f]{64}\)\.`),
		}},
	})
}

// Adding platform asks for the pinned image's own manifest for that
// platform, as adding required_platforms asks for its platforms: the pin
// holds, under on_drift = "warn" too while upstream has moved, and
// platform_digest is that of the pinned image. Adding platform re-resolved
// the selector, so the pin jumped to upstream's image with no warning,
// whatever on_drift said.
func TestAccReviewLifecycle_addingPlatformKeepsPin(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	const tag = "3.4.2-python3.12"
	body := `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "warn"`
	withPlatform := body + `
  platform        = "linux/arm64"`
	var pinned, arm64 string
	var platforms map[string]string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: pinConfig(reg, body),
			Check: func(*terraform.State) error {
				pinned = mustDigest(t, reg, tag)
				platforms = platformDigestsOf(t, reg, tag)()
				arm64 = platforms["linux/arm64"]
				return nil
			},
		}, {
			// Upstream re-pushes; on_drift = "warn" holds the pin.
			PreConfig: push(t, reg, tag),
			Config:    pinConfig(reg, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}, {
			// platform added: an update of platform and its results alone.
			PreConfig: rec.reset,
			Config:    pinConfig(reg, withPlatform),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", func() string { return pinned }},
				expectPlannedString{pinAddress, "platform_digest", func() string { return arm64 }},
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				expectStateString{pinAddress, "platform_digest", func() string { return arm64 }},
				expectStateString{pinAddress, "platform_ref", func() string { return repo + "@" + arm64 }},
				expectPlatformDigests{pinAddress, func() map[string]string { return platforms }},
			},
			Check: rec.expectWarning(`Upstream Image Moved: The tag .*` + regexp.QuoteMeta(tag) + ` was re-pushed upstream`),
		}, {
			// Still held, and a platform missing from the pinned image is
			// an error naming what it has.
			Config: pinConfig(reg, body+`
  platform        = "linux/s390x"`),
			ExpectError: regexp.MustCompile(`(?s)Platform Not Published for the Image.*` + wrapped(`which has no image for platform "linux/s390x"; it has linux/amd64, linux/arm64.`).String()),
		}, {
			// platform removed: its results go, the pin stays.
			Config: pinConfig(reg, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", func() string { return pinned }},
				plancheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digest"), knownvalue.Null()),
				plancheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digests"), knownvalue.Null()),
			}},
		}},
	})
}
