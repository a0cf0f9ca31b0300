package provider

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// The first plan after an import (repo:tag@digest) takes a configured
// selector that the imported tag meets as the pin's own, resolving it for
// upstream (adoptImported). When that resolution fails, the pin holds as
// imported, with a warning, whatever on_drift says.

// importFaultConfig is a pin with a selector the imported tag meets, and
// the registry's budget kept short for faults.
func importFaultConfig(reg *registrytest.Registry, body string) string {
	return faultProviderConfig(reg) + `
resource "prefectimage_pin" "test" {
` + body + `
}
`
}

// The registry failing (503) on the first plan after the import: the
// refresh and the selector alike go unanswered, the pin holds as imported
// though on_drift = "update" and upstream re-pushed the tag, and a warning
// says the selector could not be resolved. Once the registry answers, the
// re-push is followed: the fault only put it off.
func TestAccImportFault_registryDownOnFirstPlan(t *testing.T) {
	faults, reg, repo, rec := faultedDriftRegistry(t)
	const tag = "3.4.2-python3.12"
	held := mustDigest(t, reg, tag)
	push(t, reg, tag)()
	config := importFaultConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{importPin(config, repo+":"+tag+"@"+held), {
			PreConfig: func() { rec.reset(); faults.set(onRegistry(false, answer(http.StatusServiceUnavailable)))() },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				expectPlannedString{pinAddress, "digest", func() string { return held }},
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return held }},
				expectStateString{pinAddress, "tag", func() string { return tag }},
				expectStateString{pinAddress, "ref", func() string { return repo + "@" + held }},
			},
			Check: rec.expectWarning(`Upstream Image Not Checked: Could not resolve the selector for the imported pin ` +
				regexp.QuoteMeta(repo+":"+tag+"@"+held) + `, so the pin holds as imported`),
		}, {
			PreConfig: faults.set(nil),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", digestOf(t, reg, tag)},
			}},
		}},
	})
}

// Tag lists failing (503) on the first plan after the import, the
// imported tag re-pushed upstream: the refresh reads the tag (a HEAD needs
// no list) and sees the re-push, but the selector cannot be resolved. The
// pin holds as imported and the plan goes on under every on_drift, as the
// warning says; it moved under "update" and failed the plan under "error"
// on the imported tag's answer alone, while warning that the pin held and
// the plan went on. Once the lists answer, on_drift decides.
func TestAccImportFault_tagListDownOnFirstPlan(t *testing.T) {
	for _, onDrift := range []string{"update", "warn", "error"} {
		t.Run(onDrift, func(t *testing.T) {
			isolateHome(t)
			faults := &faultSwitch{}
			reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
			repo := reg.Host() + "/" + prefectRepo
			rec := &diagRecorder{}
			const tag = "3.4.2-python3.12"
			held := mustDigest(t, reg, tag)
			push(t, reg, tag)()
			config := importFaultConfig(reg, `  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = "`+onDrift+`"`)
			next := resource.TestStep{PreConfig: func() { rec.reset(); faults.set(nil)() }, Config: config}
			switch onDrift {
			case "update":
				next.ConfigStateChecks = pinValues(t, reg, pinAddress, repo, tag)
			case "warn":
				next.ConfigStateChecks = []statecheck.StateCheck{expectStateString{pinAddress, "digest", func() string { return held }}}
				next.Check = rec.expectWarning(`Upstream Image Moved: The tag .*` + regexp.QuoteMeta(tag) + ` was re-pushed upstream`)
			default:
				next.ExpectError = regexp.MustCompile(`(?s)Upstream Image Moved.*re-pushed`)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: rec.factories(),
				Steps: []resource.TestStep{importPin(config, repo+":"+tag+"@"+held), {
					PreConfig: func() { rec.reset(); faults.set(onRegistry(true, answer(http.StatusServiceUnavailable)))() },
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						expectPlannedString{pinAddress, "digest", func() string { return held }},
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						expectStateString{pinAddress, "digest", func() string { return held }},
						expectStateString{pinAddress, "ref", func() string { return repo + "@" + held }},
					},
					Check: rec.expectWarning(`Upstream Image Not Checked: Could not resolve the selector for the imported pin ` +
						regexp.QuoteMeta(repo+":"+tag+"@"+held) + `, so the pin holds as imported.*Could not list tags`),
				}, next},
			})
		})
	}
}

// Nothing meets the selector on the first plan after the import: the
// imported tag, which the selector names exactly, was deleted upstream and
// no other tag meets it. The pin holds as imported, the plan goes on, and
// the warnings say the tag is gone and the selector matched nothing.
func TestAccImportFault_nothingMatchesOnFirstPlan(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	rec := &diagRecorder{}
	const tag = "3.4.2-python3.12"
	held := mustDigest(t, reg, tag)
	config := importFaultConfig(reg, `  prefect_version = "3.4.2"
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
				expectStateString{pinAddress, "digest", func() string { return held }},
				expectStateString{pinAddress, "tag", func() string { return tag }},
				expectStateString{pinAddress, "ref", func() string { return repo + "@" + held }},
			},
			Check: resource.ComposeTestCheckFunc(
				rec.expectWarning(`Upstream Image Not Checked: Could not check whether `+regexp.QuoteMeta(repo+":"+tag+"@"+held)+` moved upstream`),
				rec.expectWarning(`Upstream Image Not Checked: Could not resolve the selector for the imported pin `+
					regexp.QuoteMeta(repo+":"+tag+"@"+held)+`, so the pin holds as imported.*no tag matches`),
			),
		}},
	})
}
