package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// A saved plan made right after an import, with a configuration whose
// selector the imported tag meets (or that names the tag of a pin imported
// by digest), the tag re-pushed before the apply. That plan resolves the
// selector itself (the refresh before it watched the imported tag only),
// and Terraform plans again at apply. Under "warn" the pin holds in both
// plans, as reviewed, but upstream_* differed, so Terraform stopped the
// apply with "Provider produced inconsistent final plan"; upstream_* is
// now known after apply, and the apply holds the pin and warns. Under
// "error" the apply stops with Upstream Image Moved. Under "update" the
// apply's plan follows the re-push, a pin nobody reviewed, so Terraform
// stops it, as for a saved plan that changes the selector, and the next
// plan shows the move.
func TestAccImportSavedPlan_upstreamMovesBeforeApply(t *testing.T) {
	for _, tc := range []struct{ name, body, onDrift string }{
		{"selector warn", "  prefect_version = \"~> 3.4.0\"\n  python_version  = \"3.12\"", "warn"},
		{"tag of digest warn", "  tag = \"3.4.2-python3.12\"", "warn"},
		{"selector error", "  prefect_version = \"~> 3.4.0\"\n  python_version  = \"3.12\"", "error"},
		{"selector update", "  prefect_version = \"~> 3.4.0\"\n  python_version  = \"3.12\"", "update"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			repo := reg.Host() + "/" + prefectRepo
			rec := &diagRecorder{}
			const tag = "3.4.2-python3.12"
			imported := mustDigest(t, reg, tag)
			id := repo + ":" + tag + "@" + imported
			if strings.Contains(tc.name, "digest") {
				id = repo + "@" + imported
			}
			config := pinConfig(reg, tc.body+"\n  on_drift = \""+tc.onDrift+"\"")
			holds := []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return imported }},
				expectStateString{pinAddress, "ref", func() string { return repo + "@" + imported }},
			}
			step := resource.TestStep{
				PreConfig: rec.reset,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
					expectPlannedString{pinAddress, "digest", func() string { return imported }},
					betweenPlanAndApply(push(t, reg, tag)),
				}},
			}
			switch tc.onDrift {
			case "warn":
				step.ConfigStateChecks = append(holds, expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)})
				step.Check = rec.expectWarning(`Upstream Image Moved: The tag ` + regexp.QuoteMeta(repo+":"+tag) + ` was re-pushed upstream`)
			case "error":
				step.ExpectError = regexp.MustCompile(`(?s)Upstream Image Moved.*re-pushed.*on_drift\s+=\s+"error"\s+stops\s+the\s+plan`)
			default:
				step.ExpectError = regexp.MustCompile(`(?s)Provider produced inconsistent final plan.*\.digest`)
			}
			steps := []resource.TestStep{importPin(config, id), step}
			if tc.onDrift == "update" {
				// Nothing was written; the next plan shows the move.
				steps = append(steps, resource.TestStep{
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
					}},
					ConfigStateChecks: pinValues(t, reg, pinAddress, repo, tag),
				})
			}
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: rec.factories(), Steps: steps})
		})
	}
}
