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

// An imported pin whose image lacks a required platform (or its
// platform), while upstream's tag has since been re-pushed with every one:
// under on_drift = "update" the plan follows upstream to the good image
// (the pin then points at an image with every platform asked for), instead
// of failing on the pinned one with advice to leave the release out. Under
// "warn" and "error" the pinned image still fails the plan.
func TestAccReviewGuard_importedLackingFollowsGoodUpstream(t *testing.T) {
	const bad = "2.20.21-python3.10" // linux/arm64 alone until re-pushed
	for _, tc := range []struct {
		name, attribute, warnError string
		planChecks                 func(reg *registrytest.Registry, repo string) []plancheck.PlanCheck
		stateChecks                []statecheck.StateCheck
	}{{
		name:      "required_platforms",
		attribute: `required_platforms = ` + bothPlatforms,
		warnError: `(?s)Image Lacks Required Platforms.*` + wrapped(`which lacks the required linux/amd64; it has linux/arm64`).String(),
		planChecks: func(reg *registrytest.Registry, repo string) []plancheck.PlanCheck {
			return []plancheck.PlanCheck{expectPlannedString{"terraform_data.pool", "input", func() string { return repo + "@" + mustDigest(t, reg, bad) }}}
		},
	}, {
		name:        "platform",
		attribute:   `platform = "linux/amd64"`,
		warnError:   `(?s)Platform Not Published for the Image`,
		stateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digest"), knownvalue.NotNull())},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			isolateHome(t)
			reg := incidentRegistry(t)
			repo := reg.Host() + "/" + prefectRepo
			config := func(onDrift string) string {
				return pinConfig(reg, `  tag = "`+bad+`"
  on_drift = "`+onDrift+`"
  `+tc.attribute)
			}
			planChecks := []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, bad)},
			}
			if tc.planChecks != nil {
				planChecks = append(planChecks, tc.planChecks(reg, repo)...)
			}
			stateChecks := append(pinValues(t, reg, pinAddress, repo, bad),
				statecheck.StateCheck(expectPlatformDigests{pinAddress, platformDigestsOf(t, reg, bad)}))
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{importPin(pinConfig(reg, `  tag = "`+bad+`"`), repo+":"+bad+"@"+mustDigest(t, reg, bad)), {
					// Upstream restores linux/amd64.
					PreConfig:   push(t, reg, bad),
					Config:      config("warn"),
					ExpectError: regexp.MustCompile(tc.warnError),
				}, {
					Config:            config("update"),
					ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: planChecks},
					ConfigStateChecks: append(stateChecks, tc.stateChecks...),
				}},
			})
		})
	}
}

// The image's platforms cannot be read because the registry answers 404 to
// the GET by digest (the tag's HEAD found it): the error says the image's
// manifest was not found, not that the tag was, and does not point at tag;
// it names the tag the digest was read for, which the registry's error
// alone did not.
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
						wrapped(`Could not read the manifest of digest`).String() + `.*` +
						wrapped(`That digest is what the tag 3.4.2-python3.12 points at`).String()),
				}},
			})
		})
	}
}
