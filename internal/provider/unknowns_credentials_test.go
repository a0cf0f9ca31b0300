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

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A pin whose selector is unchanged gets platform or required_platforms
// newly set (so the plan reads the pinned image's platforms, with a GET)
// while the registry's registry_auth block is known only at apply (its
// password rotated). The plan cannot read them without the credentials:
// it plans them known after apply, to be read at apply with them, as a
// pin it would resolve is. Before, required_platforms planned
// platform_digests as null (read failed, "the next plan tries again") and
// the plan at apply, with the credentials, read them: "Provider produced
// inconsistent final plan" on every such apply; platform failed the plan
// with the registry's 401.
func TestAccUnknowns_registryAuthKnownOnlyAtApplyPlatforms(t *testing.T) {
	isolateHome(t)
	const password = "Appl1ed-Passw0rd"
	reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
	repo := reg.Host() + "/" + prefectRepo
	config := func(trigger, extra string) string {
		return fmt.Sprintf(`
resource "terraform_data" "pw" {
  input            = %[1]q
  triggers_replace = %[2]q
}

provider "prefectimage" {
  repository  = %[3]q
  max_retries = 1
  registry_auth {
    address  = %[4]q
    username = "me"
    password = terraform_data.pw.output
  }
}

resource "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  %[5]s
}`, password, trigger, repo, reg.Host(), extra)
	}
	platformsAtApply := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
		plancheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tag"), knownvalue.StringExact("3.4.2-python3.12")),
		plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("platform_digests")),
	}}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config("a", ""),
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}, {
			Config:           config("b", `required_platforms = ["linux/amd64"]`),
			ConfigPlanChecks: platformsAtApply,
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digests"), knownvalue.MapPartial(map[string]knownvalue.Check{
					"linux/amd64": knownvalue.NotNull()}))),
		}, {
			Config: config("c", ""), // platform_digests null again
		}, {
			Config:           config("d", `platform = "linux/amd64"`),
			ConfigPlanChecks: platformsAtApply,
			ConfigStateChecks: append(pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_ref"), knownvalue.NotNull())),
		}},
	})
}

// The registry_auth block known only at apply turns out wrong: the pin
// planned as known after apply is refused at apply with the registry's
// 401 naming the block's credentials, and nothing is recorded; with the
// right password the next apply creates it.
func TestAccUnknowns_registryAuthWrongAtApply(t *testing.T) {
	isolateHome(t)
	const password = "Appl1ed-Passw0rd"
	reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
	repo := reg.Host() + "/" + prefectRepo
	config := func(pw string) string {
		return fmt.Sprintf(`
resource "terraform_data" "pw" {
  input = %[1]q
}

provider "prefectimage" {
  repository  = %[2]q
  max_retries = 1
  registry_auth {
    address  = %[3]q
    username = "me"
    password = terraform_data.pw.output
  }
}

resource "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}`, pw, repo, reg.Host())
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config("wrong-" + password),
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*registry_auth\s+block\s+for`),
		}, {
			// Nothing was recorded: the pin is created now.
			Config: config(password),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionCreate),
			}},
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}},
	})
}

// An import block for a pin on a registry whose registry_auth block is
// known only at apply: the import checks the digest at plan time, without
// the block, and its refusal says the block was not used and why, as a
// data source's does. It read "This request used anonymous access.
// Credentials come from a registry_auth block for <host>", of a host that
// has one.
func TestAccUnknowns_registryAuthKnownOnlyAtApplyImport(t *testing.T) {
	isolateHome(t)
	const password = "Appl1ed-Passw0rd"
	reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
	repo := reg.Host() + "/" + prefectRepo
	digest, err := reg.Digest(prefectRepo, "3.4.2-python3.12")
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "pw" {
  input = %[1]q
}

provider "prefectimage" {
  repository  = %[2]q
  max_retries = 1
  registry_auth {
    address  = %[3]q
    username = "me"
    password = terraform_data.pw.output
  }
}

import {
  to = prefectimage_pin.test
  id = "%[2]s:3.4.2-python3.12@%[4]s"
}

resource "prefectimage_pin" "test" {
  tag = "3.4.2-python3.12"
}`, password, repo, reg.Host(), digest),
			ExpectError: regexp.MustCompile(`(?s)Nothing\s+was\s+imported.*401.*` +
				wrapped("The registry_auth block for "+reg.Host()+" depends on a value known only after apply").String()),
		}},
	})
}

// The first plan after `terraform import` (repo:tag@digest, or repo@digest
// with tag configured) adopts the configured selector and resolves it for
// upstream (adoptImported, adoptTagOfDigestImport), while the registry's
// registry_auth block is known only at apply (its password rotated in the
// same apply): the plan cannot resolve it (401), the apply can. Under
// on_drift = "update" the plan shows the pin known after apply, and the
// apply follows the re-push it could not see, or holds the pin; under
// "warn" the pin holds as shown; under "error" the apply stops with
// Upstream Image Moved. The plan's warning says the apply resolves it with
// the credentials. Before, the plan held the pin as imported ("the next
// plan resolves the selector again") and, upstream having moved, the plan
// at apply, with the credentials, moved it: "Provider produced
// inconsistent final plan" under "update".
func TestAccUnknowns_registryAuthKnownOnlyAtApplyFirstPlanAfterImport(t *testing.T) {
	const tag = "3.4.2-python3.12"
	for _, tc := range []struct {
		name, body, onDrift string
		byDigest, repush    bool
	}{
		{name: "selector update repushed", body: "prefect_version = \"~> 3.4.0\"\n  python_version = \"3.12\"", onDrift: "update", repush: true},
		{name: "selector update", body: "prefect_version = \"~> 3.4.0\"\n  python_version = \"3.12\"", onDrift: "update"},
		{name: "selector update required_platforms repushed", body: "prefect_version = \"~> 3.4.0\"\n  python_version = \"3.12\"\n  required_platforms = [\"linux/amd64\"]", onDrift: "update", repush: true},
		{name: "selector warn repushed", body: "prefect_version = \"~> 3.4.0\"\n  python_version = \"3.12\"", onDrift: "warn", repush: true},
		{name: "selector error repushed", body: "prefect_version = \"~> 3.4.0\"\n  python_version = \"3.12\"", onDrift: "error", repush: true},
		{name: "tag of digest update repushed", body: "tag = \"" + tag + "\"", onDrift: "update", byDigest: true, repush: true},
		{name: "tag of digest warn repushed", body: "tag = \"" + tag + "\"", onDrift: "warn", byDigest: true, repush: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolateHome(t)
			const password = "Appl1ed-Passw0rd"
			reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
			repo := reg.Host() + "/" + prefectRepo
			held := mustDigest(t, reg, tag)
			rec := &diagRecorder{}
			config := func(trigger, pin string) string {
				return fmt.Sprintf(`
resource "terraform_data" "pw" {
  input            = %[1]q
  triggers_replace = %[2]q
}

provider "prefectimage" {
  repository  = %[3]q
  max_retries = 1
  registry_auth {
    address  = %[4]q
    username = "me"
    password = terraform_data.pw.output
  }
}
%[5]s`, password, trigger, repo, reg.Host(), pin)
			}
			pin := `
resource "prefectimage_pin" "test" {
  ` + tc.body + `
  on_drift = "` + tc.onDrift + `"
}`
			id := repo + ":" + tag + "@" + held
			if tc.byDigest {
				id = repo + "@" + held
			}
			firstPlan := resource.TestStep{
				PreConfig: func() {
					rec.reset()
					if tc.repush {
						push(t, reg, tag)()
					}
				},
				Config: config("b", pin),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				}},
			}
			notChecked := `(?s)Upstream Image Not Checked: Could not resolve .*` + regexp.QuoteMeta(repo+":"+tag+"@"+held) +
				`(, imported by digest)?, without the registry_auth block for ` + regexp.QuoteMeta(reg.Host()) + `, which depends on a value known only after apply; the apply resolves .*401`
			switch tc.onDrift {
			case "update":
				firstPlan.ConfigPlanChecks.PreApply = append(firstPlan.ConfigPlanChecks.PreApply,
					plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("digest")),
					plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("ref")))
				firstPlan.ConfigStateChecks = pinValues(t, reg, pinAddress, repo, tag) // the re-push followed, or the pin held
				firstPlan.Check = rec.expectWarning(notChecked)
			case "warn":
				firstPlan.ConfigPlanChecks.PreApply = append(firstPlan.ConfigPlanChecks.PreApply,
					expectPlannedString{pinAddress, "digest", func() string { return held }})
				firstPlan.ConfigStateChecks = []statecheck.StateCheck{
					expectStateString{pinAddress, "digest", func() string { return held }},
					expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)},
				}
				firstPlan.Check = resource.ComposeTestCheckFunc(rec.expectWarning(notChecked),
					rec.expectWarning(`Upstream Image Moved: The tag .*`+regexp.QuoteMeta(tag)+` was re-pushed upstream`))
			default:
				firstPlan.ExpectError = regexp.MustCompile(`(?s)Upstream Image Moved.*re-pushed`)
			}
			steps := []resource.TestStep{{
				Config: config("a", ""),
			}, importPin(config("a", pin), id), firstPlan}
			if tc.onDrift == "error" {
				// Nothing was written: the pin is still the one imported.
				steps = append(steps, resource.TestStep{
					Config: config("b", pin),
					ConfigStateChecks: []statecheck.StateCheck{
						expectStateString{pinAddress, "digest", func() string { return held }},
					},
					ExpectError: regexp.MustCompile(`(?s)Upstream Image Moved.*re-pushed`),
				})
			}
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: rec.factories(), Steps: steps})
		})
	}
}
