package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// SPEC, The selector: tag "conflicts with the four above"; What bad input
// gets: tag together with a selector attribute is an attribute error at
// validate time, before any registry is contacted. Each of the four, on
// the data source and on the resource, and the resource's other inputs
// (on_drift among them), are refused with no request made.
func TestAccSpec_tagConflictsWithEachSelectorAttribute(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12", "3-latest"})
	conflicts := []struct{ attr, value string }{
		{"prefect_version", `"~> 3.1"`},
		{"python_version", `"3.12"`},
		{"flavor", `"standard"`},
		{"allow_prereleases", `false`},
	}
	for _, kind := range []string{"data", "resource"} {
		var cases []invalidCase
		for _, c := range conflicts {
			// Both attributes of the pair are named: Terraform quotes each
			// one's line.
			cases = append(cases, invalidCase{
				name: "tag with " + c.attr,
				body: fmt.Sprintf("  tag = \"3-latest\"\n  %s = %s", c.attr, c.value),
				want: `(?s)Invalid Attribute Combination.*` +
					regexp.QuoteMeta(fmt.Sprintf(`Attribute "%s" cannot be specified when "tag" is specified`, c.attr)) +
					`.*Invalid Attribute Combination`,
			})
		}
		if kind == "resource" {
			cases = append(cases,
				invalidCase{"unknown on_drift", `  on_drift = "follow"`, `(?s)Invalid Attribute Value Match.*on_drift.*"update".*"warn".*"error".*got:\s+"follow"`},
				invalidCase{"malformed constraint", `  prefect_version = "~> banana"`, `(?s)Invalid Prefect Version Constraint.*prefect_version`},
				invalidCase{"malformed python", `  python_version = "3.12.1"`, `(?s)Invalid Python Version.*python_version`},
				invalidCase{"unknown flavor", `  flavor = "slim"`, `(?s)Invalid Flavor.*"standard",\s+"conda"\s+or\s+"kubernetes"`},
				invalidCase{"malformed platform", `  platform = "amd64"`, `(?s)Invalid Platform.*platform`},
				invalidCase{"repository with tag", `  repository = "prefecthq/prefect:3-latest"`, `(?s)Invalid Repository.*repository`},
			)
		}
		t.Run(kind, func(t *testing.T) {
			expectInvalid(t, reg, func(body string) string {
				return providerConfig(reg) + fmt.Sprintf("%s \"prefectimage_pin\" \"test\" {\n%s\n}\n", kind, body)
			}, cases)
		})
	}
}

// A selector attribute known only at apply beside tag (Terraform's
// validate and plan see it unknown, so the conflict cannot be told then):
// the apply fails with Invalid Attribute Combination before the pin is
// resolved, no request reaches the registry, and no pin is in state.
func TestAccSpec_tagConflictKnownOnlyAtApply(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12", "3-latest"})
	for _, c := range []struct{ attr, value string }{
		{"prefect_version", `"~> 3.1"`},
		{"python_version", `"3.12"`},
		{"flavor", `"conda"`},
		{"allow_prereleases", `true`},
	} {
		for _, kind := range []string{"data", "resource"} {
			t.Run(kind+" "+c.attr, func(t *testing.T) {
				reg.ResetCounts()
				resource.UnitTest(t, resource.TestCase{
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					Steps: []resource.TestStep{{
						Config: providerConfig(reg) + fmt.Sprintf(`
resource "terraform_data" "later" {
  input = %[3]s
}

%[1]s "prefectimage_pin" "test" {
  tag = "3-latest"
  %[2]s = terraform_data.later.output
}
`, kind, c.attr, c.value),
						ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*` +
							regexp.QuoteMeta(fmt.Sprintf(`Attribute "%s" cannot be specified when "tag" is specified`, c.attr))),
					}},
				})
				if n := reg.Counts().Total(); n != 0 {
					t.Errorf("tag beside %s reached the registry: %v", c.attr, reg.Requests())
				}
			})
		}
	}
}

// SPEC, data "prefectimage_pin": it resolves on every plan, so that when
// the tag moves upstream (re-pushed, or a newer release meets the
// constraint) what is fed from it shows the change in the plan, known at
// plan time. Defaults are filled in: flavor "standard", the highest Python
// of the chosen release and flavor, the newest stable release.
func TestAccSpec_dataSourceFollowsUpstreamEveryPlan(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, append([]string{"3.5.1rc1-python3.12", "3.5.0-python3.13-conda", "3.5.0-python3.11-kubernetes"}, driftTags...))
	repo := reg.Host() + "/" + prefectRepo
	config := providerConfig(reg) + `
data "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}

data "prefectimage_pin" "defaults" {}

data "prefectimage_pin" "conda" {
  flavor = "conda"
}

data "prefectimage_pin" "py311" {
  python_version = "3.11"
}

resource "terraform_data" "pool" {
  input = data.prefectimage_pin.test.ref
}
`
	const address = "data.prefectimage_pin.test"
	plannedInput := func(tag string) plancheck.PlanCheck {
		return expectPlannedString{"terraform_data.pool", "input", func() string { return repo + "@" + mustDigest(t, reg, tag) }}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionCreate),
				plannedInput("3.4.2-python3.12"),
			}},
			ConfigStateChecks: append(pinValues(t, reg, address, repo, "3.4.2-python3.12"),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("flavor"), knownvalue.StringExact("standard")),
				// 3.5.1rc1 is a prerelease and 3.5.0 has no standard image:
				// the newest stable release with one is 3.5.0 on 3.12 alone.
				statecheck.ExpectKnownValue("data.prefectimage_pin.defaults", tfjsonpath.New("tag"), knownvalue.StringExact("3.5.0-python3.12")),
				statecheck.ExpectKnownValue("data.prefectimage_pin.defaults", tfjsonpath.New("flavor"), knownvalue.StringExact("standard")),
				statecheck.ExpectKnownValue("data.prefectimage_pin.defaults", tfjsonpath.New("prefect_version"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.prefectimage_pin.defaults", tfjsonpath.New("python_version"), knownvalue.Null()),
				// In conda, 3.5.0 is published for 3.13.
				statecheck.ExpectKnownValue("data.prefectimage_pin.conda", tfjsonpath.New("tag"), knownvalue.StringExact("3.5.0-python3.13-conda")),
				// 3.5.0 has no standard image on 3.11: the newest that has one.
				statecheck.ExpectKnownValue("data.prefectimage_pin.py311", tfjsonpath.New("tag"), knownvalue.StringExact("3.4.2-python3.11")),
			),
		}, {
			// The same tag re-pushed.
			PreConfig: push(t, reg, "3.4.2-python3.12"),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionUpdate),
				plannedInput("3.4.2-python3.12"),
			}},
			ConfigStateChecks: pinValues(t, reg, address, repo, "3.4.2-python3.12"),
		}, {
			// A newer release that meets the constraint.
			PreConfig: push(t, reg, "3.4.3-python3.12"),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("terraform_data.pool", plancheck.ResourceActionUpdate),
				plannedInput("3.4.3-python3.12"),
			}},
			ConfigStateChecks: pinValues(t, reg, address, repo, "3.4.3-python3.12"),
		}, {
			// Nothing moved: nothing to do.
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}},
	})
}

// SPEC, resource "prefectimage_pin": a refresh never removes the resource
// and never blanks the pin. When every tag the selector could pick is gone
// upstream (an exact version whose tag was deleted), the refresh finds
// nothing that matches: the pin holds, the plan goes on with nothing to
// do, and a warning says why, under every on_drift.
func TestAccSpec_refreshWithNothingMatchingHoldsPin(t *testing.T) {
	for _, onDrift := range []string{"update", "warn", "error"} {
		t.Run(onDrift, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			repo := reg.Host() + "/" + prefectRepo
			rec := &diagRecorder{}
			const tag = "3.4.2-python3.12"
			config := pinConfig(reg, `  prefect_version = "3.4.2"
  python_version  = "3.12"
  on_drift        = "`+onDrift+`"`)
			pinned := mustDigest(t, reg, tag)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: rec.factories(),
				Steps: []resource.TestStep{{
					Config: config,
				}, {
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
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact(tag)),
						statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(pinned)),
						statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+pinned)),
						statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("resolved_prefect_version"), knownvalue.StringExact("3.4.2")),
					},
					Check: rec.expectWarning(`(?s)Upstream Image Not Checked: Could not check whether ` + regexp.QuoteMeta(repo+":"+tag+"@"+pinned) +
						` moved upstream, so the pin holds as it was and the plan goes on\..*no tag matches prefect_version "3\.4\.2", python_version "3\.12", flavor "standard"`),
				}},
			})
		})
	}
}

// SPEC, What bad input gets: nothing matching is an error that names the
// selector and shows what is there (the newest versions for that Python
// and flavor, the Pythons and flavors of the newest version meeting the
// constraint), and no error leaves state changed. A pin whose selector
// is edited to one nothing matches fails at plan time and keeps its pin:
// written back, the selector plans nothing.
func TestAccSpec_resourceNothingMatchesLeavesStateAsItWas(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, append([]string{"3.5.0-python3.13-conda"}, driftTags...))
	repo := reg.Host() + "/" + prefectRepo
	config := func(python string) string {
		return pinConfig(reg, fmt.Sprintf("  prefect_version = \"~> 3.4.0\"\n  python_version  = %q", python))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config("3.12"),
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}, {
			Config: config("3.13"),
			ExpectError: regexp.MustCompile(`(?s)No Prefect Image Matches the Selector.*` + wrapped(`In `+repo+`: no tag matches prefect_version "~> 3.4.0", `+
				`python_version "3.13", flavor "standard". No stable version is published on Python 3.13, standard. `+
				`Newest version meeting "~> 3.4.0" is 3.4.2, published for Python 3.11, 3.12 in flavors standard, conda.`).String()),
		}, {
			Config: config("3.12"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}},
	})
}
