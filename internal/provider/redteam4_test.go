package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A red-team pass over the pin resource and data source through the
// Terraform CLI: ways a pin could be kept, produced or lost wrongly.

// A saved plan that creates a pin, the tag re-pushed before the apply:
// Terraform plans again at apply and refuses the other digest; nothing is
// created, and the next plan creates the pin at the new digest.
func TestAccRedteam4_createSavedPlanRepushed(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	const tag = "3.4.2-python3.12"
	config := pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				betweenPlanAndApply(push(t, reg, tag)),
			}},
			ExpectError: regexp.MustCompile(`(?s)inconsistent final plan`),
		}, {
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionCreate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
			}},
		}},
	})
}

// A selector edited while upstream re-pushed the pinned tag, under
// on_drift = "error": SPEC resolves a changed selector at plan time, so the
// new pin is upstream's digest, shown in the plan, and on_drift has no say
// (a guard of that rule, which holds even where the edit picks the same
// tag).
func TestAccRedteam4_selectorEditedAfterRepushUnderError(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	rec := &diagRecorder{}
	const tag = "3.4.2-python3.12"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "error"`),
		}, {
			PreConfig: func() { rec.reset(); push(t, reg, tag)() },
			Config: pinConfig(reg, `  prefect_version = ">= 3.4.0, < 3.5.0"
  python_version  = "3.12"
  on_drift        = "error"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
			}},
		}},
	})
}

// Imported at an older digest of its tag (the last good image, held after
// upstream re-pushed the tag), with a configuration that selects that tag
// by version: the re-push is drift, which on_drift decides. The plan moved
// the pin to upstream's digest under "warn" and "error" alike, with no word
// of the re-push. Under "update" it follows, as before; a selector the
// imported tag does not meet is a changed selector, resolved as before.
func TestAccRedteam4_importHeldDigestWithSelector(t *testing.T) {
	for _, tc := range []struct{ onDrift, prefectVersion string }{
		{"warn", "3.4.2"}, {"error", "3.4.2"}, {"update", "3.4.2"}, {"warn", "3.4.1"},
	} {
		t.Run(tc.onDrift+" "+tc.prefectVersion, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			repo := reg.Host() + "/" + prefectRepo
			rec := &diagRecorder{}
			const tag = "3.4.2-python3.12"
			held := mustDigest(t, reg, tag)
			push(t, reg, tag)()
			config := pinConfig(reg, `  prefect_version = "`+tc.prefectVersion+`"
  python_version  = "3.12"
  on_drift        = "`+tc.onDrift+`"`)
			step := resource.TestStep{
				PreConfig: rec.reset,
				Config:    config,
			}
			switch {
			case tc.prefectVersion != "3.4.2":
				step.ConfigStateChecks = pinValues(t, reg, pinAddress, repo, "3.4.1-python3.12")
			case tc.onDrift == "warn":
				step.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectPlannedString{pinAddress, "digest", func() string { return held }},
				}}
				step.ConfigStateChecks = []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(held)),
					statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+held)),
					expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)},
				}
				step.Check = rec.expectWarning(`Upstream Image Moved: The tag .*` + regexp.QuoteMeta(tag) + ` was re-pushed upstream`)
			case tc.onDrift == "error":
				step.ExpectError = regexp.MustCompile(`(?s)Upstream Image Moved.*re-pushed`)
			default:
				step.ConfigStateChecks = pinValues(t, reg, pinAddress, repo, tag)
			}
			steps := []resource.TestStep{importPin(config, repo+":"+tag+"@"+held), step}
			if tc.onDrift == "warn" && tc.prefectVersion == "3.4.2" {
				// The applied selector is watched from then on.
				steps = append(steps, resource.TestStep{
					PreConfig: push(t, reg, "3.4.3-python3.12"),
					Config:    strings.Replace(config, `"3.4.2"`, `"~> 3.4.0"`, 1),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
						expectPlannedString{pinAddress, "tag", func() string { return "3.4.3-python3.12" }},
					}},
				})
			}
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: rec.factories(), Steps: steps})
		})
	}
}

// The incident's hold (PrefectHQ/prefect#18943): the last good image of
// 2.20.21-python3.10 imported after the re-push lost linux/amd64, with a
// selector and required_platforms. The plan failed with Image Lacks
// Required Platforms, the selector resolved as new; it holds the imported
// image and warns.
func TestAccRedteam4_importLastGoodImageWithSelector(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	const tag = "2.20.21-python3.10"
	good := func() string { d, _ := reg.PushPlatforms(prefectRepo, tag, "linux/amd64", "linux/arm64"); return d }()
	pushPlatforms(t, reg, nil, tag, "linux/arm64")()
	config := pinConfig(reg, `  prefect_version    = "2.20.21"
  python_version     = "3.10"
  required_platforms = `+bothPlatforms)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{importPin(config, repo+":"+tag+"@"+good), {
			PreConfig: rec.reset,
			Config:    config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(good)),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+good)),
			},
			Check: rec.expectWarning(`Upstream Image Lacks Required Platforms: The tag .*` + regexp.QuoteMeta(tag) + ` was re-pushed upstream`),
		}},
	})
}

// A drift plan that follows upstream, the registry failing between plan
// and apply: Terraform plans again at apply, and that plan must plan what
// was shown. With platform or required_platforms it read upstream's
// platforms from the registry, so it held the pin with a warning and
// Terraform stopped the apply with "Provider produced inconsistent final
// plan"; the refresh now records them in private state and the apply
// writes the reviewed pin without the registry. Without either, nothing
// is read by then (a guard).
func TestAccRedteam4_faultBetweenDriftPlanAndApply(t *testing.T) {
	for name, extra := range map[string]string{
		"required_platforms": "  required_platforms = " + bothPlatforms + "\n",
		"platform":           "  platform           = \"linux/amd64\"\n",
		"neither":            "",
	} {
		t.Run(name, func(t *testing.T) {
			isolateHome(t)
			faults := &faultSwitch{}
			reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
			repo := reg.Host() + "/" + prefectRepo
			const tag = "3.4.2-python3.12"
			config := faultProviderConfig(reg) + `
resource "prefectimage_pin" "test" {
  prefect_version    = "~> 3.4.0"
  python_version     = "3.12"
` + extra + `}
`
			moved := digestOf(t, reg, tag)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: config,
				}, {
					PreConfig: push(t, reg, tag),
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
						expectPlannedString{pinAddress, "digest", moved},
						betweenPlanAndApply(faults.set(onRegistry(false, answer(http.StatusServiceUnavailable)))),
					}},
					// The registry still fails at the plan after the apply:
					// the refresh keeps the pin and plans nothing.
					ConfigStateChecks: []statecheck.StateCheck{
						expectStateString{pinAddress, "digest", moved},
						expectStateString{pinAddress, "ref", func() string { return repo + "@" + moved() }},
					},
					Check: func(s *terraform.State) error {
						if extra == "" {
							return nil
						}
						// The platforms are upstream's new image's.
						want, err := reg.PlatformDigests(prefectRepo, tag)
						if err != nil {
							return err
						}
						got := s.RootModule().Resources[pinAddress].Primary.Attributes["platform_digests.linux/amd64"]
						if got == "" || got != want["linux/amd64"] {
							return fmt.Errorf("platform_digests linux/amd64 is %q, want upstream's %q", got, want["linux/amd64"])
						}
						return nil
					},
				}, {
					PreConfig: faults.set(nil),
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
					}},
				}},
			})
		})
	}
}

// Two data sources of one plan, one naming the tag and one selecting it
// with a platform, the tag re-pushed after each read of it: both
// give the same digest (one run reads a tag once).
func TestAccRedteam4_dataSourcesOfOnePlanAgree(t *testing.T) {
	isolateHome(t)
	const tag = "3.4.2-python3.12"
	var mu sync.Mutex
	pushes := 0
	var reg *registrytest.Registry
	pushAfterFirstHead := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			// Every read of the tag moves it: a walk that reads it twice
			// gets two digests.
			if strings.HasSuffix(r.URL.Path, "/manifests/"+tag) {
				mu.Lock()
				defer mu.Unlock()
				if _, err := reg.Push(prefectRepo, tag); err != nil {
					t.Errorf("push: %v", err)
				}
				pushes++
			}
		})
	}
	reg = newSeededRegistry(t, driftTags, registrytest.WithMiddleware(pushAfterFirstHead))
	config := providerConfig(reg) + `
data "prefectimage_pin" "a" {
  tag = "` + tag + `"
}
data "prefectimage_pin" "b" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  platform        = "linux/amd64"
}
data "prefectimage_pin" "c" {
  tag      = "` + tag + `"
  required_platforms = ` + bothPlatforms + `
}
`
	same := func(s *terraform.State) error {
		mu.Lock()
		defer mu.Unlock()
		if pushes == 0 {
			t.Error("the tag was never read by tag, so never moved; the test proves nothing")
		}
		a := s.RootModule().Resources["data.prefectimage_pin.a"].Primary.Attributes["digest"]
		for _, n := range []string{"b", "c"} {
			if got := s.RootModule().Resources["data.prefectimage_pin."+n].Primary.Attributes["digest"]; got != a {
				t.Errorf("data.prefectimage_pin.%s digest %s, a has %s", n, got, a)
			}
		}
		return nil
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, Check: same}},
	})
}

// Imported by a tag since deleted upstream, with a selector the tag meets:
// the selector now picks an older image, and the pin holds, as for a pinned
// tag deleted after an apply. It moved back to the older image.
func TestAccRedteam4_importDeletedTagWithSelector(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	const tag = "3.4.2-python3.12"
	held := mustDigest(t, reg, tag)
	config := pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := reg.Delete(prefectRepo, tag); err != nil {
					t.Fatal(err)
				}
			},
			Config:             config,
			ResourceName:       pinAddress,
			ImportState:        true,
			ImportStatePersist: true,
			ImportStateId:      repo + ":" + tag + "@" + held,
		}, {
			PreConfig: rec.reset,
			Config:    config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(held)),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact(tag)),
			},
			Check: rec.expectWarning(`Pinned Tag No Longer Published: The pinned tag ` + regexp.QuoteMeta(repo+":"+tag)),
		}},
	})
}

// A selector known only at apply, unchanged when known, while upstream
// re-pushed the tag under on_drift = "warn": the plan shows the pin as
// known after apply, and the apply holds it (Terraform plans again with
// the known selector), upstream_* recording the re-push.
func TestAccRedteam4_selectorKnownOnlyAtApplyHolds(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	config := func(trigger string) string {
		return providerConfig(reg) + `
resource "terraform_data" "r" {
  triggers_replace = "` + trigger + `"
}

resource "prefectimage_pin" "test" {
  prefect_version = length(terraform_data.r.id) > 0 ? "~> 3.4.0" : "3.4.1"
  python_version  = "3.12"
  on_drift        = "warn"
}
`
	}
	var pinned string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config("a"),
			Check:  func(*terraform.State) error { pinned = mustDigest(t, reg, tag); return nil },
		}, {
			PreConfig: push(t, reg, tag),
			Config:    config("b"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("prefect_version")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				expectStateString{pinAddress, "ref", func() string { return repo + "@" + pinned }},
				expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)},
			},
		}},
	})
}
