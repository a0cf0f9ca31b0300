package provider

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A hunt over the resource's lifecycle at the provider layer: imports,
// refresh-only runs and faults, checked by plan and state.

// Imported by digest alone (SPEC: the :tag part may be left out), the
// last good image of a re-pushed tag, with a configuration naming that
// tag: the re-push is drift, which on_drift decides, as for an import with
// the tag. The configured tag was taken as a changed selector, so the first
// plan moved the pin to the re-pushed digest under "warn" and "error"
// alike, with no word. A registry failing in that plan holds the pin as
// imported, with a warning.
func TestAccLifecycle_digestImportWithTagHolds(t *testing.T) {
	for _, onDrift := range []string{"warn", "error", "update", "fault"} {
		t.Run(onDrift, func(t *testing.T) {
			isolateHome(t)
			faults := &faultSwitch{}
			reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
			repo := reg.Host() + "/" + prefectRepo
			rec := &diagRecorder{}
			const tag = "3.4.2-python3.12"
			held := mustDigest(t, reg, tag)
			push(t, reg, tag)()
			mode := onDrift
			if onDrift == "fault" {
				mode = "warn"
			}
			config := faultProviderConfig(reg) + `
resource "prefectimage_pin" "test" {
  tag      = "` + tag + `"
  on_drift = "` + mode + `"
}
`
			holds := []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(held)),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+held)),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tagged_ref"), knownvalue.StringExact(repo+":"+tag+"@"+held)),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("resolved_prefect_version"), knownvalue.StringExact("3.4.2")),
			}
			step := resource.TestStep{PreConfig: rec.reset, Config: config}
			switch onDrift {
			case "warn":
				step.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectPlannedString{pinAddress, "digest", func() string { return held }},
				}}
				step.ConfigStateChecks = append(holds, expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)})
				step.Check = rec.expectWarning(`Upstream Image Moved: The tag ` + regexp.QuoteMeta(repo+":"+tag) + ` was re-pushed upstream`)
			case "error":
				step.ExpectError = regexp.MustCompile(`(?s)Upstream Image Moved.*re-pushed`)
			case "update":
				step.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
				}}
				step.ConfigStateChecks = pinValues(t, reg, pinAddress, repo, tag)
			case "fault":
				step.PreConfig = func() { rec.reset(); faults.set(onRegistry(false, answer(http.StatusServiceUnavailable)))() }
				step.ConfigStateChecks = holds
				step.Check = rec.expectWarning(`(?s)Upstream Image Not Checked: Could not resolve the tag of ` + regexp.QuoteMeta(repo+":"+tag+"@"+held) + `, imported by digest, so the pin holds as imported`)
			}
			steps := []resource.TestStep{importPin(config, repo+"@"+held), step}
			if onDrift == "fault" {
				// The registry answers again: the re-push is seen, and held.
				steps = append(steps, resource.TestStep{
					PreConfig: func() { rec.reset(); faults.set(nil)() },
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						expectPlannedString{pinAddress, "digest", func() string { return held }},
					}},
					ConfigStateChecks: holds,
					Check:             rec.expectWarning(`Upstream Image Moved: The tag ` + regexp.QuoteMeta(repo+":"+tag) + ` was re-pushed upstream`),
				})
			}
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: rec.factories(), Steps: steps})
		})
	}
}

// terraform apply -refresh-only: a refresh records upstream's move in
// upstream_* and nothing else; one that meets a fault changes nothing in
// state, not even the earlier record; and the plan after it, the registry
// still failing, does not follow that earlier record when on_drift becomes
// "update" (the refresh did not see upstream). Once the registry answers,
// the move is followed.
func TestAccLifecycle_refreshOnlyKeepsPin(t *testing.T) {
	isolateHome(t)
	faults := &faultSwitch{}
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
	rec := &diagRecorder{}
	const tag = "3.4.2-python3.12"
	config := func(onDrift string) string {
		return faultProviderConfig(reg) + `
resource "prefectimage_pin" "test" {
  prefect_version    = "~> 3.4.0"
  python_version     = "3.12"
  required_platforms = ` + bothPlatforms + `
  on_drift           = "` + onDrift + `"
}
`
	}
	pinned := mustDigest(t, reg, tag)
	var moved string
	stateIs := func(digest, upstream *string) func(*terraform.State) error {
		return func(s *terraform.State) error {
			a := s.RootModule().Resources[pinAddress].Primary.Attributes
			if a["digest"] != *digest || a["upstream_digest"] != *upstream || a["ref"] != reg.Host()+"/"+prefectRepo+"@"+*digest {
				t.Errorf("digest %s, ref %s, upstream_digest %s; want digest %s, upstream_digest %s", a["digest"], a["ref"], a["upstream_digest"], *digest, *upstream)
			}
			return nil
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: config("warn"),
		}, {
			PreConfig:    func() { push(t, reg, tag)(); moved = mustDigest(t, reg, tag) },
			RefreshState: true,
			Check:        stateIs(&pinned, &moved),
		}, {
			PreConfig:    faults.set(onRegistry(false, answer(http.StatusServiceUnavailable))),
			RefreshState: true,
			Check:        stateIs(&pinned, &moved),
		}, {
			PreConfig: rec.reset,
			Config:    config("update"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				expectPlannedString{pinAddress, "digest", func() string { return pinned }},
			}},
			Check: resource.ComposeTestCheckFunc(stateIs(&pinned, &moved),
				rec.expectWarning(`(?s)Upstream Image Not Checked: Could not check whether .* so the pin holds as it was`)),
		}, {
			PreConfig: faults.set(nil),
			Config:    config("update"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				expectPlannedString{pinAddress, "digest", func() string { return moved }},
			}},
			Check: stateIs(&moved, &moved),
		}},
	})
}
