package provider

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
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

// The same with platform instead of required_platforms: the imported
// image has no linux/amd64, upstream's has it again, and under "update"
// the plan follows, with platform_digest upstream's linux/amd64 image.
func TestAccReviewGuard_importedLackingPlatformFollowsGoodUpstream(t *testing.T) {
	isolateHome(t)
	reg := incidentRegistry(t)
	repo := reg.Host() + "/" + prefectRepo
	const bad = "2.20.21-python3.10"
	badDigest := mustDigest(t, reg, bad)
	config := func(onDrift string) string {
		return pinConfig(reg, `  tag = "`+bad+`"
  on_drift = "`+onDrift+`"
  platform = "linux/amd64"`)
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
			PreConfig:   push(t, reg, bad),
			Config:      config("warn"),
			ExpectError: regexp.MustCompile(`(?s)Platform Not Published for the Image`),
		}, {
			Config: config("update"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, bad)},
			}},
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, bad),
				statecheck.StateCheck(expectPlatformDigests{pinAddress, platformDigestsOf(t, reg, bad)}),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digest"), knownvalue.NotNull())),
		}},
	})
}

// The image's platforms cannot be read because the registry answers 404 to
// the GET by digest (the tag's HEAD found it): the error says the image's
// manifest was not found, not that the tag was, and does not point at tag.
func TestAccReviewGuard_platformsGetNotFoundIsNoMissingTag(t *testing.T) {
	isolateHome(t)
	faults := &faultSwitch{}
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
	faults.set(func(w http.ResponseWriter, r *http.Request) bool {
		if registrytest.KindOf(r) != "get" || !strings.Contains(r.URL.Path, "/manifests/sha256:") {
			return false
		}
		writeRegistryError(w, http.StatusNotFound)
		return true
	})()
	for _, kind := range []string{"data", "resource"} {
		t.Run(kind, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: providerConfig(reg) + kind + ` "prefectimage_pin" "test" {
  tag                = "3.4.2-python3.12"
  required_platforms = ` + bothPlatforms + `
}`,
					ExpectError: regexp.MustCompile(`(?s)Error: Image Manifest Not Found.*\d+:\s+` + kind + ` "prefectimage_pin" "test" \{.*` +
						wrapped(`Could not read the manifest of digest`).String()),
				}},
			})
		})
	}
}
