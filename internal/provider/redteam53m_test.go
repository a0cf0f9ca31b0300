package provider

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Session 53's review of how pins read manifests (redteam53m), through the
// Terraform CLI.

// A pin with required_platforms whose tag upstream re-pushes while every
// manifest GET answers 500 (the HEAD answers, so the refresh sees the new
// digest; the new image's platforms cannot be read): under each on_drift
// the pin, its digest and its platform_digests stay as they were, the plan
// changes nothing (or, under "error", fails), and it says why; once the
// registry reads again, "update" follows. Then every manifest request
// (HEAD too) answering 500: the pin holds, with a warning, and the plan is
// empty.
func TestAccRedteam53mRepushWhileManifestReadsFail(t *testing.T) {
	for _, onDrift := range []string{"update", "warn", "error"} {
		t.Run(onDrift, func(t *testing.T) {
			faults, reg, _, rec := faultedDriftRegistry(t)
			const tag = "3.4.2-python3.12"
			config := faultProviderConfig(reg) + `
resource "prefectimage_pin" "test" {
  prefect_version    = "~> 3.4.0"
  python_version     = "3.12"
  required_platforms = ["linux/amd64", "linux/arm64"]
  on_drift           = "` + onDrift + `"
}
`
			pinned := mustDigest(t, reg, tag)
			platforms, err := reg.PlatformDigests(prefectRepo, tag)
			if err != nil {
				t.Fatal(err)
			}
			holds := []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(pinned)),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digests"), knownvalue.MapExact(map[string]knownvalue.Check{
					"linux/amd64": knownvalue.StringExact(platforms["linux/amd64"]),
					"linux/arm64": knownvalue.StringExact(platforms["linux/arm64"]),
				})),
			}
			moved := resource.TestStep{
				PreConfig: func() {
					faults.set(onManifests(true, http.StatusInternalServerError))()
					pushPlatforms(t, reg, rec, tag, "linux/amd64", "linux/arm64")()
					if mustDigest(t, reg, tag) == pinned {
						t.Fatal("the re-push did not change the digest")
					}
				},
				Config: config,
			}
			why := `(?s)re-pushed upstream.*HTTP 500 Internal Server Error`
			switch onDrift {
			case "error":
				moved.ExpectError = regexp.MustCompile(`Upstream Image Moved`)
			default:
				moved.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
				}}
				moved.ConfigStateChecks = holds
				moved.Check = rec.expectWarning(why)
			}
			steps := []resource.TestStep{{Config: config, ConfigStateChecks: holds}, moved}
			if onDrift != "error" {
				steps = append(steps, resource.TestStep{
					// Every manifest request fails: the refresh cannot
					// check, and the pin holds, with a warning.
					PreConfig: func() {
						rec.reset()
						faults.set(onManifests(false, http.StatusInternalServerError))()
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
					}},
					ConfigStateChecks: holds,
					Check:             rec.expectWarning(`(?s)Upstream Image Not Checked: Could not check whether .* moved upstream, so the pin holds as it was.*HTTP 500`),
				})
			}
			if onDrift == "update" {
				steps = append(steps, recoveredStep(t, faults, rec, reg, config, tag))
			}
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: rec.factories(), Steps: steps})
		})
	}
}

// required_platforms = ["linux/amd64", "linux/arm64"] on a tag whose index
// lists linux/amd64/v3 (an x86-64-v3 build, which needs AVX2) and
// linux/arm64: docker pull --platform linux/amd64 of it fails ("no
// matching manifest"), so the data source, and the resource at create,
// fail naming what it has and lacks. Before the fix the pin was made:
// any entry whose name began with linux/amd64/ provided linux/amd64.
func TestAccRedteam53mRequiredPlatformNotMetByNewerVariant(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.4.2-python3.12"})
	repo := reg.Host() + "/" + prefectRepo
	if _, err := reg.PushPlatforms(prefectRepo, "3.4.3-python3.12", "linux/amd64/v3", "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	lacks := wrapped(repo + `:3.4.3-python3.12@` + mustDigest(t, reg, "3.4.3-python3.12") +
		` lacks the required linux/amd64; it has linux/amd64/v3, linux/arm64`).String()
	for _, block := range []string{`data "prefectimage_pin" "test"`, `resource "prefectimage_pin" "test"`} {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: providerConfig(reg) + block + ` {
  tag                = "3.4.3-python3.12"
  required_platforms = ` + bothPlatforms + `
}
`,
				ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*` + lacks),
			}, {
				// platform resolves no manifest docker pull --platform
				// linux/amd64 would refuse.
				Config: providerConfig(reg) + block + ` {
  tag      = "3.4.3-python3.12"
  platform = "linux/amd64"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Platform Not Published for the Image.*linux/amd64/v3`),
			}},
		})
	}
}
