package provider

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Tests of required_platforms through the Terraform CLI. The registry
// publishes images with chosen platforms: both (Seed), arm64 only (the
// PrefectHQ/prefect#18943 re-push), a fresh arm64 image beside the same
// amd64 one, and a single-manifest image.

const bothPlatforms = `["linux/amd64", "linux/arm64"]`

// expectPlatformDigests checks an address's platform_digests in state
// against what the registry holds for tag when the check runs.
type expectPlatformDigests struct {
	address string
	want    func() map[string]string
}

func platformDigestsOf(t *testing.T, reg *registrytest.Registry, tag string) func() map[string]string {
	return func() map[string]string {
		pd, err := reg.PlatformDigests(prefectRepo, tag)
		if err != nil {
			t.Fatalf("platforms of %s: %v", tag, err)
		}
		return pd
	}
}

func (e expectPlatformDigests) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state")
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != e.address {
			continue
		}
		raw, _ := r.AttributeValues["platform_digests"].(map[string]any)
		got := map[string]string{}
		for k, v := range raw {
			got[k], _ = v.(string)
		}
		if want := e.want(); raw == nil || !maps.Equal(got, want) {
			resp.Error = fmt.Errorf("%s.platform_digests = %v, want %v", e.address, raw, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in state", e.address)
}

// expectGets is a step check on the manifest GETs the step made.
func expectGets(reg *registrytest.Registry, what string, ok func(c registrytest.Counts) bool) func(*terraform.State) error {
	return func(*terraform.State) error {
		if c := reg.Counts(); !ok(c) {
			return fmt.Errorf("%s: %d manifest GETs and %d HEADs: %v", what, c.Get, c.Head, reg.Requests())
		}
		return nil
	}
}

// incidentRegistry holds driftTags and 2.20.21-python3.10 with linux/arm64
// alone, as Prefect re-pushed it (PrefectHQ/prefect#18943).
func incidentRegistry(t *testing.T) *registrytest.Registry {
	reg := newSeededRegistry(t, driftTags)
	pushPlatforms(t, reg, nil, "2.20.21-python3.10", "linux/arm64")()
	return reg
}

// pushPlatforms is a PreConfig that forgets rec's diagnostics (rec may be
// nil) and pushes tag as an index of platforms alone.
func pushPlatforms(t *testing.T, reg *registrytest.Registry, rec *diagRecorder, tag string, platforms ...string) func() {
	return func() {
		if rec != nil {
			rec.reset()
		}
		if _, err := reg.PushPlatforms(prefectRepo, tag, platforms...); err != nil {
			t.Fatalf("push %s with %v: %v", tag, platforms, err)
		}
	}
}

// expectWarningNow is rec.expectWarning with a pattern made when the check
// runs, from digests that PreConfig pushed.
func expectWarningNow(rec *diagRecorder, pattern func() string) func(*terraform.State) error {
	return func(s *terraform.State) error { return rec.expectWarning(pattern())(s) }
}

func TestAccPinDataSource_requiredPlatforms(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.4.2-python3.12", "2.20.20-python3.10"})
	repo := reg.Host() + "/" + prefectRepo
	if _, err := reg.PushPlatforms(prefectRepo, "2.20.21-python3.10", "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.PushPlatforms(prefectRepo, "3.4.3-python3.12", "linux/amd64", "linux/arm64/v8"); err != nil {
		t.Fatal(err)
	}
	single, err := reg.PushSingle(prefectRepo, "2.7.9-python3.10", "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	address := "data.prefectimage_pin.test"
	dataSource := func(body string) string {
		return providerConfig(reg) + fmt.Sprintf("data \"prefectimage_pin\" \"test\" {\n%s\n}\n", body)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// Both platforms: accepted, with every platform in platform_digests.
			Config: dataSource(`  tag = "3.4.2-python3.12"
  required_platforms = ` + bothPlatforms),
			ConfigStateChecks: append(pinValues(t, reg, address, repo, "3.4.2-python3.12"),
				expectPlatformDigests{address, platformDigestsOf(t, reg, "3.4.2-python3.12")},
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digest"), knownvalue.Null()),
			),
		}, {
			// arm64 only: refused, naming the image, what it has and lacks,
			// and what to do. The selector does not fall back to 2.20.20.
			Config: dataSource(`  prefect_version = "~> 2.20.0"
  python_version = "3.10"
  required_platforms = ` + bothPlatforms),
			// On required_platforms: Terraform quotes its line.
			ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*\d+:\s+required_platforms\s+=.*` +
				wrapped(repo+`:2.20.21-python3.10@`+mustDigest(t, reg, "2.20.21-python3.10")+` lacks the required linux/amd64; it has linux/arm64, so a worker on linux/amd64 could not run it.`).String() +
				`.*` + wrapped(`prefect_version = "~> 2.20.0, != 2.20.21"`).String() + `.*` + wrapped(`use the prefectimage_pin resource`).String()),
		}, {
			// A variant meets a requirement without one.
			Config: dataSource(`  tag = "3.4.3-python3.12"
  required_platforms = ["linux/arm64", "linux/amd64"]`),
			ConfigStateChecks: []statecheck.StateCheck{
				expectPlatformDigests{address, platformDigestsOf(t, reg, "3.4.3-python3.12")},
			},
		}, {
			// A single-manifest image provides its config's platform ...
			Config: dataSource(`  tag = "2.7.9-python3.10"
  required_platforms = ["linux/amd64"]`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digests"), knownvalue.MapExact(map[string]knownvalue.Check{
					"linux/amd64": knownvalue.StringExact(single),
				})),
			},
		}, {
			// ... and no other.
			Config: dataSource(`  tag = "2.7.9-python3.10"
  required_platforms = ` + bothPlatforms),
			ExpectError: wrapped(`lacks the required linux/arm64; it has linux/amd64`),
		}, {
			// One manifest GET per pin per plan: each Terraform command
			// reads each pin once, with one HEAD and one GET.
			PreConfig: reg.ResetCounts,
			Config: providerConfig(reg) + `
data "prefectimage_pin" "a" {
  tag                = "3.4.2-python3.12"
  required_platforms = ` + bothPlatforms + `
}
data "prefectimage_pin" "b" {
  tag                = "3.4.3-python3.12"
  required_platforms = ["linux/amd64"]
}`,
			Check: expectGets(reg, "two pins with required_platforms, want one GET per HEAD", func(c registrytest.Counts) bool {
				return c.Get > 0 && c.Get == c.Head
			}),
		}},
	})
}

// guardedConfig is two pins of one selector, one with required_platforms
// and one without, each feeding a terraform_data.
func guardedConfig(reg *registrytest.Registry, onDrift string) string {
	return providerConfig(reg) + fmt.Sprintf(`
resource "prefectimage_pin" "test" {
  prefect_version    = "~> 3.4.0"
  python_version     = "3.12"
  required_platforms = %s
  on_drift           = %q
}

resource "prefectimage_pin" "unguarded" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}

resource "terraform_data" "pool" {
  input = prefectimage_pin.test.ref
}
`, bothPlatforms, onDrift)
}

const unguardedAddress = "prefectimage_pin.unguarded"

// Under on_drift = "update" a pin with required_platforms follows upstream
// to images that have them, holds (and warns) when upstream loses one, and
// never moves backwards; the pin without follows as before.
func TestAccPinResource_requiredPlatformsUpdate(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	config := guardedConfig(reg, "update")
	var good, good343 string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
				expectPlatformDigests{pinAddress, platformDigestsOf(t, reg, "3.4.2-python3.12")},
				statecheck.ExpectKnownValue(unguardedAddress, tfjsonpath.New("platform_digests"), knownvalue.Null()),
			),
			Check: func(*terraform.State) error { good = mustDigest(t, reg, "3.4.2-python3.12"); return nil },
		}, {
			// Nothing moved: an empty plan, and not one manifest GET in
			// the step's plans, apply and refreshes.
			PreConfig: reg.ResetCounts,
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			Check: expectGets(reg, "a steady plan", func(c registrytest.Counts) bool { return c.Get == 0 && c.Head > 0 }),
		}, {
			// 3.4.2 re-pushed without linux/amd64: the guarded pin holds
			// and warns; the other follows, as it always has.
			PreConfig: pushPlatforms(t, reg, rec, "3.4.2-python3.12", "linux/arm64"),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction(unguardedAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{unguardedAddress, "digest", digestOf(t, reg, "3.4.2-python3.12")},
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return good }},
				expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, "3.4.2-python3.12")},
			},
			Check: expectWarningNow(rec, func() string {
				return `(?s)Upstream Image Lacks Required Platforms: The tag .*3\.4\.2-python3\.12 was re-pushed upstream.* Platforms: linux/amd64 removed \(was sha256:[0-9a-f]{64}\); linux/arm64 sha256:[0-9a-f]{64} → ` +
					regexp.QuoteMeta(platformDigestsOf(t, reg, "3.4.2-python3.12")()["linux/arm64"]) +
					`\. The new image .*lacks the required linux/amd64; it has linux/arm64\. So the pin holds ` + regexp.QuoteMeta(repo+":3.4.2-python3.12@"+good) +
					`, which has linux/amd64, linux/arm64\. on_drift = "update" follows upstream again once its image has every required platform`
			}),
		}, {
			// A newer release without linux/amd64: held too.
			PreConfig: pushPlatforms(t, reg, rec, "3.4.3-python3.12", "linux/arm64"),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return good }},
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("upstream_tag"), knownvalue.StringExact("3.4.3-python3.12")),
				pinValues(t, reg, unguardedAddress, repo, "3.4.3-python3.12")[1],
			},
			Check: rec.expectWarning(`(?s)Upstream Image Lacks Required Platforms: A newer release now meets the selector: .*3\.4\.3-python3\.12.*lacks the required linux/amd64.*prefect_version = "~> 3\.4\.0, != 3\.4\.3"`),
		}, {
			// 3.4.3 published again with both: followed, known at plan time.
			PreConfig: func() {
				if _, err := reg.Push(prefectRepo, "3.4.3-python3.12"); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, "3.4.3-python3.12")},
				expectPlannedString{"terraform_data.pool", "input", func() string { return repo + "@" + mustDigest(t, reg, "3.4.3-python3.12") }},
			}},
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3.4.3-python3.12"),
				expectPlatformDigests{pinAddress, platformDigestsOf(t, reg, "3.4.3-python3.12")}),
			Check: func(*terraform.State) error { good343 = mustDigest(t, reg, "3.4.3-python3.12"); return nil },
		}, {
			// 3.4.3 loses linux/amd64 again: the pin holds 3.4.3 as it was,
			// never the older 3.4.2.
			PreConfig: pushPlatforms(t, reg, nil, "3.4.3-python3.12", "linux/arm64"),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact("3.4.3-python3.12")),
				expectStateString{pinAddress, "digest", func() string { return good343 }},
			},
		}},
	})
}

// Under on_drift = "warn" the drift warning names the platform that
// changed; an image that lacks one is held with its own warning; under
// "error" the plan fails with the same facts.
func TestAccPinResource_requiredPlatformsWarnAndError(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	var pinned, arm64Before, amd64 string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: guardedConfig(reg, "warn"),
			Check: func(*terraform.State) error {
				pinned = mustDigest(t, reg, "3.4.2-python3.12")
				pd := platformDigestsOf(t, reg, "3.4.2-python3.12")()
				arm64Before, amd64 = pd["linux/arm64"], pd["linux/amd64"]
				return nil
			},
		}, {
			// A fresh arm64 image beside the same amd64 one: the warning
			// names linux/arm64 with both digests, and nothing of amd64.
			PreConfig: func() {
				rec.reset()
				if _, err := reg.RepushPlatform(prefectRepo, "3.4.2-python3.12", "linux/arm64"); err != nil {
					t.Fatal(err)
				}
			},
			Config: guardedConfig(reg, "warn"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
			},
			Check: resource.ComposeTestCheckFunc(
				expectWarningNow(rec, func() string {
					now := platformDigestsOf(t, reg, "3.4.2-python3.12")()
					if now["linux/amd64"] != amd64 {
						t.Errorf("RepushPlatform changed linux/amd64")
					}
					return `Upstream Image Moved: The tag .*3\.4\.2-python3\.12 was re-pushed upstream: it now points at sha256:[0-9a-f]{64}, while the pin holds ` +
						regexp.QuoteMeta(pinned) + `\. Platforms: linux/arm64 ` + regexp.QuoteMeta(arm64Before) + ` → ` + regexp.QuoteMeta(now["linux/arm64"]) +
						`\. on_drift = "warn" keeps the pin`
				}),
			),
		}, {
			// The tag loses linux/amd64: held, with the lacking platform.
			PreConfig: pushPlatforms(t, reg, rec, "3.4.2-python3.12", "linux/arm64"),
			Config:    guardedConfig(reg, "warn"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
			Check: expectWarningNow(rec, func() string {
				return `(?s)Upstream Image Lacks Required Platforms: .*linux/amd64 removed \(was ` + regexp.QuoteMeta(amd64) +
					`\).*lacks the required linux/amd64; it has linux/arm64\. So the pin holds .*on_drift = "warn" holds the pin in any case`
			}),
		}, {
			// on_drift = "error": the plan fails with the same facts.
			Config: guardedConfig(reg, "error"),
			ExpectError: regexp.MustCompile(`(?s)Upstream Image Lacks Required Platforms.*` + wrapped(`lacks the required linux/amd64; it has linux/arm64. So the pin holds `+repo+":3.4.2-python3.12@").String() +
				`.*` + wrapped(`on_drift = "error" stops the plan`).String()),
		}},
	})
}

// A resource created on an image that lacks a platform fails; adding
// required_platforms to a pin whose image has them plans no change to the
// pin, reads the pinned image once, and then no more.
func TestAccPinResource_requiredPlatformsCreateAndAdd(t *testing.T) {
	isolateHome(t)
	reg := incidentRegistry(t)
	repo := reg.Host() + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	without := pinConfig(reg, `  tag = "`+tag+`"`)
	with := pinConfig(reg, `  tag = "`+tag+`"
  required_platforms = `+bothPlatforms)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pinConfig(reg, `  prefect_version    = "2.20.21"
  python_version     = "3.10"
  required_platforms = `+bothPlatforms),
			// The tag, the digest, what it has and lacks, and what to do.
			ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*` +
				wrapped(repo+`:2.20.21-python3.10@`+mustDigest(t, reg, "2.20.21-python3.10")+` lacks the required linux/amd64; it has linux/arm64`).String() +
				`.*` + wrapped(`Choose another version in prefect_version.`).String() +
				`.*` + wrapped(`Once created, a pin with required_platforms holds its last good image`).String()),
		}, {
			Config: without,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digests"), knownvalue.Null()),
			},
		}, {
			// Adding the guard: an update of required_platforms and
			// platform_digests alone; what is fed from ref stays.
			PreConfig: reg.ResetCounts,
			Config:    with,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, tag),
				expectPlatformDigests{pinAddress, platformDigestsOf(t, reg, tag)}),
			Check: expectGets(reg, "adding required_platforms", func(c registrytest.Counts) bool { return c.Get > 0 }),
		}, {
			PreConfig: reg.ResetCounts,
			Config:    with,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			Check: expectGets(reg, "a steady plan", func(c registrytest.Counts) bool { return c.Get == 0 }),
		}, {
			// Removing it: platform_digests goes, the pin stays.
			Config: without,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, tag),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digests"), knownvalue.Null())),
		}, {
			// The pinned image itself lacks a platform the guard now asks.
			Config: pinConfig(reg, `  tag = "`+tag+`"
  required_platforms = ["linux/amd64", "linux/s390x"]`),
			ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*` +
				wrapped(`The pin holds `+repo+":"+tag+"@"+mustDigest(t, reg, tag)+`, which lacks the required linux/s390x; it has linux/amd64, linux/arm64.`).String()),
		}},
	})
}

// An imported pin has no platform_digests; the first plan with
// required_platforms reads them and checks the guard.
func TestAccPinResource_requiredPlatformsImport(t *testing.T) {
	isolateHome(t)
	reg := incidentRegistry(t)
	repo := reg.Host() + "/" + prefectRepo
	importStep := func(tag string) resource.TestStep {
		return resource.TestStep{
			Config:             pinConfig(reg, `  tag = "`+tag+`"`),
			ResourceName:       pinAddress,
			ImportState:        true,
			ImportStatePersist: true,
			ImportStateId:      repo + ":" + tag + "@" + mustDigest(t, reg, tag),
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 || states[0].Attributes["platform_digests.%"] != "" {
					return fmt.Errorf("imported with platform_digests: %v", states[0].Attributes)
				}
				return nil
			},
		}
	}
	const good = "3.4.2-python3.12"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{importStep(good), {
			Config: pinConfig(reg, `  tag = "`+good+`"
  required_platforms = `+bothPlatforms),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, good)},
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectPlatformDigests{pinAddress, platformDigestsOf(t, reg, good)},
			},
		}},
	})
	const bad = "2.20.21-python3.10"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{importStep(bad), {
			Config: pinConfig(reg, `  tag = "`+bad+`"
  required_platforms = `+bothPlatforms),
			ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*` + wrapped(`which lacks the required linux/amd64; it has linux/arm64`).String()),
		}},
	})
}

// Malformed and duplicate entries are refused at validate, before any
// registry request, on the resource as on the data source.
func TestAccPinResource_requiredPlatformsInvalid(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.4.2-python3.12"})
	expectInvalid(t, reg, func(list string) string { return pinConfig(reg, `  required_platforms = `+list) }, []invalidCase{
		{"malformed", `["linux/amd64", "arm64"]`, `(?s)Invalid Platform.*` + wrapped(`required_platforms[1]: platform "arm64" is not os/arch`).String()},
		{"upper case", `["Linux/AMD64"]`, `(?s)Invalid Platform.*` + wrapped(`required_platforms[0]: platform "Linux/AMD64" is not in lower case, as an image index writes platforms: write "linux/amd64"`).String()},
		{"duplicate", `["linux/amd64", "linux/arm64", "linux/amd64"]`, `(?s)Duplicate Platform.*` + wrapped(`required_platforms lists "linux/amd64" twice, at index 0 and 2`).String()},
		{"null", `["linux/amd64", null]`, `(?s)Invalid Platform.*` + wrapped(`required_platforms[1] is null`).String()},
	})
}

// When the platforms of the pinned image cannot be read as the guard is
// added, the pin holds, platform_digests stays empty and a warning says
// why; the next plan that can read them records them.
func TestAccPinResource_requiredPlatformsNotChecked(t *testing.T) {
	faults, reg, repo, rec := faultedDriftRegistry(t)
	const tag = "3.4.2-python3.12"
	failGets := func(w http.ResponseWriter, r *http.Request) bool {
		if registrytest.KindOf(r) != "get" {
			return false
		}
		writeRegistryError(w, http.StatusServiceUnavailable)
		return true
	}
	with := pinConfig(reg, `  tag = "`+tag+`"
  required_platforms = `+bothPlatforms)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: pinConfig(reg, `  tag = "`+tag+`"`),
		}, {
			PreConfig: func() { rec.reset(); faults.set(failGets)() },
			Config:    with,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, tag),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digests"), knownvalue.Null())),
			Check: rec.expectWarning(`Required Platforms Not Checked: Could not read the platforms of ` + regexp.QuoteMeta(repo+":"+tag+"@") +
				`.*the next plan tries again.*HTTP 503`),
		}, {
			PreConfig: faults.set(nil),
			Config:    with,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectPlatformDigests{pinAddress, platformDigestsOf(t, reg, tag)},
			},
		}},
	})
}

// Under on_drift = "error" the drift error of a pin with platform_digests
// names the platform upstream added, with its digest, and none that
// stayed as it was (SPEC: "Drift warnings and errors … name each platform
// added, removed or changed").
func TestAccPinResource_requiredPlatformsDriftErrorNamesAddedPlatform(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: guardedConfig(reg, "error"),
		}, {
			PreConfig: func() {
				if _, err := reg.RepushPlatform(prefectRepo, "3.4.2-python3.12", "linux/s390x"); err != nil {
					t.Fatal(err)
				}
			},
			Config: guardedConfig(reg, "error"),
			ExpectError: regexp.MustCompile(`(?s)Upstream Image Moved.*` + wrapped(`The tag`).String() + `.*3\.4\.2-python3\.12\s+was\s+re-pushed\s+upstream.*` +
				`Platforms:\s+linux/s390x\s+added\s+\(sha256:[0-9a-f]{64}\)\.\s+` + wrapped(`on_drift = "error" stops the plan`).String()),
		}},
	})
}

// Under on_drift = "update", when upstream moved but its image's platforms
// cannot be read (a manifest GET refused: Docker Hub's pull limit answers
// GETs 429 and HEADs still), the pin holds with a warning that says what
// upstream moved to, the tag and its digest, as well as why it was not
// checked. It said only "The pin … holds: Could not read the manifest of
// digest sha256:…", a digest no configuration names.
func TestAccPinResource_requiredPlatformsUpstreamUnreadSaysWhatMoved(t *testing.T) {
	faults, reg, repo, rec := faultedDriftRegistry(t)
	const tag = "3.4.2-python3.12"
	config := pinConfig(reg, `  prefect_version    = "~> 3.4.0"
  python_version     = "3.12"
  required_platforms = `+bothPlatforms)
	failDigestGets := func(w http.ResponseWriter, r *http.Request) bool {
		if registrytest.KindOf(r) != "get" || !strings.Contains(r.URL.Path, "/manifests/sha256:") {
			return false
		}
		writeRegistryError(w, http.StatusServiceUnavailable)
		return true
	}
	var pinned string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			Check:  func(*terraform.State) error { pinned = mustDigest(t, reg, tag); return nil },
		}, {
			PreConfig: func() { rec.reset(); push(t, reg, tag)(); faults.set(failDigestGets)() },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
			},
			Check: expectWarningNow(rec, func() string {
				return `(?s)Upstream Image Not Checked: The tag ` + regexp.QuoteMeta(repo+":"+tag) + ` was re-pushed upstream: it now points at ` +
					regexp.QuoteMeta(mustDigest(t, reg, tag)) + `, while the pin holds ` + regexp.QuoteMeta(pinned) + `\..*HTTP 503`
			}),
		}},
	})
}
