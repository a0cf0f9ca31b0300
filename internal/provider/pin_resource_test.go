package provider

import (
	"context"
	"fmt"
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

// A small catalog: tests that move tags want a registry of their own, and
// seeding a few tags is instant.
var driftTags = []string{
	"3.4.1-python3.11", "3.4.1-python3.12",
	"3.4.2-python3.11", "3.4.2-python3.12", "3.4.2-python3.12-conda",
	"3.5.0-python3.12", "3-latest",
}

const pinAddress = "prefectimage_pin.test"

// importPin is the step that imports the pin at pinAddress by id under
// config, into the state the steps after it plan from.
func importPin(config, id string) resource.TestStep {
	return resource.TestStep{
		Config:             config,
		ResourceName:       pinAddress,
		ImportState:        true,
		ImportStatePersist: true,
		ImportStateId:      id,
	}
}

// pinConfig is a pin resource fed into terraform_data, the way a work pool's
// job template would be fed from ref.
func pinConfig(reg *registrytest.Registry, body string) string {
	return providerConfig(reg) + fmt.Sprintf(`
resource "prefectimage_pin" "test" {
%s
}

resource "terraform_data" "pool" {
  input = prefectimage_pin.test.ref
}
`, body)
}

// expectPlannedString checks a planned attribute against a value computed
// when the check runs (after PreConfig moved a tag), and that it is known.
type expectPlannedString struct {
	address, attr string
	want          func() string
}

func (e expectPlannedString) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != e.address {
			continue
		}
		after, _ := rc.Change.After.(map[string]any)
		got, ok := after[e.attr].(string)
		if !ok {
			resp.Error = fmt.Errorf("%s.%s is not known at plan time (after = %v)", e.address, e.attr, after[e.attr])
			return
		}
		if want := e.want(); got != want {
			resp.Error = fmt.Errorf("%s.%s is planned as %q, want %q", e.address, e.attr, got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", e.address)
}

func digestOf(t *testing.T, reg *registrytest.Registry, tag string) func() string {
	return func() string { return mustDigest(t, reg, tag) }
}

func push(t *testing.T, reg *registrytest.Registry, tag string) func() {
	return func() {
		if _, err := reg.Push(prefectRepo, tag); err != nil {
			t.Fatalf("push %s: %v", tag, err)
		}
	}
}

func TestAccPinResource_followsDrift(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	body := `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"`
	var firstDigest string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// Create: the pin is known at plan time, and so is what it feeds.
			Config: pinConfig(reg, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionCreate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, "3.4.2-python3.12")},
				plancheck.ExpectKnownValue("terraform_data.pool", tfjsonpath.New("input"), knownvalue.StringExact(repo+"@"+mustDigest(t, reg, "3.4.2-python3.12"))),
			}},
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("upstream_tag"), knownvalue.StringExact("3.4.2-python3.12")),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("upstream_digest"), knownvalue.StringExact(mustDigest(t, reg, "3.4.2-python3.12"))),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("on_drift"), knownvalue.StringExact("update")),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("resolved_prefect_version"), knownvalue.StringExact("3.4.2")),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("flavor"), knownvalue.StringExact("standard")),
			),
			Check: func(*terraform.State) error { firstDigest = mustDigest(t, reg, "3.4.2-python3.12"); return nil },
		}, {
			// Nothing moved: the plan is empty.
			Config: pinConfig(reg, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}, {
			// The same tag re-pushed: an in-place update to the new digest,
			// known at plan time, and the fed resource changes in the same plan.
			PreConfig: push(t, reg, "3.4.2-python3.12"),
			Config:    pinConfig(reg, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, "3.4.2-python3.12")},
				expectPlannedString{pinAddress, "tag", func() string { return "3.4.2-python3.12" }},
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionUpdate),
				expectPlannedString{"terraform_data.pool", "input", func() string { return repo + "@" + mustDigest(t, reg, "3.4.2-python3.12") }},
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
			Check: func(*terraform.State) error {
				if mustDigest(t, reg, "3.4.2-python3.12") == firstDigest {
					return fmt.Errorf("the re-push did not change the digest; the test proves nothing")
				}
				return nil
			},
		}, {
			// A newer release now meets ~> 3.4.0: the pin moves to its tag.
			PreConfig: push(t, reg, "3.4.3-python3.12"),
			Config:    pinConfig(reg, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "tag", func() string { return "3.4.3-python3.12" }},
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, "3.4.3-python3.12")},
				expectPlannedString{pinAddress, "resolved_prefect_version", func() string { return "3.4.3" }},
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.3-python3.12"),
		}, {
			// A changed selector is resolved at plan time.
			Config: pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.11"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "tag", func() string { return "3.4.2-python3.11" }},
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, "3.4.2-python3.11")},
				expectPlannedString{pinAddress, "upstream_tag", func() string { return "3.4.2-python3.11" }},
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.11"),
		}, {
			// From a selector to one exact tag.
			Config: pinConfig(reg, `  tag = "3-latest"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, "3-latest")},
			}},
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3-latest"),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("resolved_prefect_version"), knownvalue.Null())),
		}, {
			// And back to the default selector, though tag stays in state.
			Config: pinConfig(reg, `  python_version = "3.12"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				expectPlannedString{pinAddress, "tag", func() string { return "3.5.0-python3.12" }},
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.5.0-python3.12"),
		}},
	})
}

func TestAccPinResource_warnHolds(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	body := `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "warn"`
	var pinned string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: pinConfig(reg, body),
			Check:  func(*terraform.State) error { pinned = mustDigest(t, reg, "3.4.2-python3.12"); return nil },
		}, {
			// Re-pushed: no change, a warning naming both digests.
			PreConfig: func() { rec.reset(); push(t, reg, "3.4.2-python3.12")() },
			Config:    pinConfig(reg, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact("3.4.2-python3.12")),
				// The pin is the digest before the re-push.
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				expectStateString{pinAddress, "ref", func() string { return repo + "@" + pinned }},
				expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, "3.4.2-python3.12")},
			},
			Check: resource.ComposeTestCheckFunc(
				rec.expectWarning(`Upstream Image Moved: The tag .*3\.4\.2-python3\.12 was re-pushed upstream: it now points at sha256:[0-9a-f]{64}, while the pin holds sha256:[0-9a-f]{64}`),
				func(*terraform.State) error {
					if pinned == mustDigest(t, reg, "3.4.2-python3.12") {
						return fmt.Errorf("the re-push did not change the digest")
					}
					return nil
				},
			),
		}, {
			// A newer release: the warning says so, with the new tag.
			PreConfig: func() { rec.reset(); push(t, reg, "3.4.3-python3.12")() },
			Config:    pinConfig(reg, body),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("upstream_tag"), knownvalue.StringExact("3.4.3-python3.12")),
			},
			Check: rec.expectWarning(`A newer release now meets the selector: .*3\.4\.3-python3\.12 \(sha256:[0-9a-f]{64}\), while the pin holds .*3\.4\.2-python3\.12`),
		}, {
			// error: the same text stops the plan.
			Config: pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "error"`),
			ExpectError: regexp.MustCompile(`(?s)Upstream Image Moved.*A\s+newer\s+release\s+now\s+meets\s+the\s+selector.*3\.4\.3-python3\.12`),
		}, {
			// Switching to update follows.
			Config: pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "tag", func() string { return "3.4.3-python3.12" }},
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.3-python3.12"),
		}},
	})
}

// expectStateString checks a state attribute against a value computed when
// the check runs.
type expectStateString struct {
	address, attr string
	want          func() string
}

func (e expectStateString) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state")
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != e.address {
			continue
		}
		got, _ := r.AttributeValues[e.attr].(string)
		if want := e.want(); got != want {
			resp.Error = fmt.Errorf("%s.%s = %q, want %q", e.address, e.attr, got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in state", e.address)
}

func TestAccPinResource_refreshFailureKeepsPin(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	const tag = "3.4.2-python3.12"
	config := pinConfig(reg, `  tag = "`+tag+`"`)
	pinned := mustDigest(t, reg, tag)
	pinHolds := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact(tag)),
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(pinned)),
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+pinned)),
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("upstream_digest"), knownvalue.StringExact(pinned)),
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: pinHolds,
		}, {
			// The tag is deleted upstream: the plan goes on, the pin holds.
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
			ConfigStateChecks: pinHolds,
			Check:             rec.expectWarning(`Upstream Image Not Checked: Could not check whether .*` + regexp.QuoteMeta(tag) + `.* moved upstream, so the pin holds`),
		}, {
			// The registry is gone: the same.
			PreConfig: func() { rec.reset(); reg.Close() },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: pinHolds,
			Check:             rec.expectWarning(`(?s)Upstream Image Not Checked: .*` + regexp.QuoteMeta(reg.Host())),
		}},
	})
}

func TestAccPinResource_import(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	const tag = "3.4.2-python3.12-conda"
	config := pinConfig(reg, `  tag = "`+tag+`"`)
	importID := func(*terraform.State) (string, error) { return repo + ":" + tag + "@" + mustDigest(t, reg, tag), nil }
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
		}, {
			Config:                               config,
			ResourceName:                         pinAddress,
			ImportState:                          true,
			ImportStateIdFunc:                    importID,
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "digest",
		}, {
			Config:        config,
			ResourceName:  pinAddress,
			ImportState:   true,
			ImportStateId: "prefecthq/prefect:3-latest",
			ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*no\s+@<digest>`),
		}, {
			// A digest the repository does not hold (a typo, another
			// repository's) is never imported as a pin.
			Config:        config,
			ResourceName:  pinAddress,
			ImportState:   true,
			ImportStateId: repo + ":" + tag + "@sha256:" + strings.Repeat("0", 64),
			ExpectError:   regexp.MustCompile(`(?s)Imported Digest Not Found.*Nothing\s+was\s+imported.*holds\s+no\s+manifest\s+with\s+that\s+digest`),
		}},
	})

	// Imported into an empty state, a pin with the same config plans nothing.
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             config,
			ResourceName:       pinAddress,
			ImportState:        true,
			ImportStatePersist: true,
			ImportStateIdFunc:  importID,
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 || states[0].Attributes["tag"] != tag || states[0].Attributes["flavor"] != "conda" {
					return fmt.Errorf("imported %v", states)
				}
				return nil
			},
		}, {
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
		}},
	})

	// A registry that cannot be asked: nothing is imported unchecked.
	digest := mustDigest(t, reg, tag)
	reg.Close()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:        config,
			ResourceName:  pinAddress,
			ImportState:   true,
			ImportStateId: repo + ":" + tag + "@" + digest,
			ExpectError:   regexp.MustCompile(`(?s)Unable to Check the Imported Digest.*Nothing\s+was\s+imported`),
		}},
	})
}
