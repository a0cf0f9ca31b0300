package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// A pin with platform whose tag upstream re-pushes without that platform:
// each on_drift holds the pin, and the plan says that upstream's image
// lacks the platform. Under "update" it said "Upstream Image Not Checked
// … could not be checked as configured, so the pin … holds; the next plan
// tries again", though the image was read and every later plan says the
// same; under "warn" and "error", "could not be checked as configured".
func TestAccPinResource_platformDroppedUpstream(t *testing.T) {
	for _, onDrift := range []string{"update", "warn", "error"} {
		t.Run(onDrift, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			rec := &diagRecorder{}
			repo := reg.Host() + "/" + prefectRepo
			const tag = "3.4.2-python3.12"
			config := pinConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  platform        = "linux/arm64"
  on_drift        = "`+onDrift+`"`)
			pinned := mustDigest(t, reg, tag)
			ending := map[string]string{
				"update": `on_drift = "update" follows upstream again once its image has platform "linux/arm64".`,
				"warn":   `on_drift = "warn" holds the pin in any case.`,
				"error":  `on_drift = "error" stops the plan; set on_drift = "update" or "warn" to hold the pin with a warning.`,
			}[onDrift]
			lacks := func() string {
				moved := mustDigest(t, reg, tag)
				return regexp.QuoteMeta(fmt.Sprintf(`The tag %s:%s was re-pushed upstream: it now points at %s, while the pin holds %s. `+
					`%s:%s@%s has no image for platform "linux/arm64"; it has linux/amd64. Set platform to one of those. `+
					`So the pin %s:%s@%s holds. %s`, repo, tag, moved, pinned, repo, tag, moved, repo, tag, pinned, ending)) + `$`
			}
			step := resource.TestStep{
				PreConfig: pushPlatforms(t, reg, rec, tag, "linux/amd64"),
				Config:    config,
			}
			const summary = "Platform Not Published for the Image"
			switch onDrift {
			case "error":
				// What the error says is read from rec after the test.
				step.ExpectError = regexp.MustCompile(summary)
			default:
				step.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
				}}
				step.ConfigStateChecks = []statecheck.StateCheck{
					expectStateString{pinAddress, "digest", func() string { return pinned }},
				}
				step.Check = resource.ComposeTestCheckFunc(
					expectWarningNow(rec, func() string { return `^warning: ` + summary + `: ` + lacks() }),
					noDiagnostic(rec, `could not be checked|next plan tries again|Not Checked`),
				)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: rec.factories(),
				Steps:                    []resource.TestStep{{Config: config}, step},
			})
			if onDrift == "error" {
				if err := rec.expect("error", `^error: `+summary+`: `+lacks())(nil); err != nil {
					t.Error(err)
				}
				if err := noDiagnostic(rec, `could not be checked`)(nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
