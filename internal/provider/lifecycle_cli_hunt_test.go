package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Workflows a platform engineer runs through the Terraform CLI that the
// lifecycle tests before these did not drive.

// lifecycle { ignore_changes = [prefect_version] }: Terraform plans with the
// ignored attribute as the state holds it, but hands the apply the
// configuration as written. The update that on_drift's change makes wrote
// the ignored, edited constraint down as the pin's selector, so the next
// refresh resolved that constraint into upstream_*, and every plan after
// it took the selector for changed: a plan never empty, and a re-push of
// the pinned tag followed under on_drift = "warn" with no word.
func TestAccLifecycle_ignoreChangesSelectorHolds(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	rec := &diagRecorder{}
	repo := reg.Host() + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	config := func(constraint, onDrift string) string {
		return providerConfig(reg) + `
resource "prefectimage_pin" "test" {
  prefect_version = "` + constraint + `"
  python_version  = "3.12"
  on_drift        = "` + onDrift + `"

  lifecycle {
    ignore_changes = [prefect_version]
  }
}
`
	}
	pinned := mustDigest(t, reg, tag)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            config("~> 3.4.0", "update"),
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, tag),
		}, {
			// The constraint edited, but ignored; on_drift changed: an
			// update of on_drift alone, and the plan after it is empty.
			Config: config("~> 3.5.0", "warn"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", func() string { return pinned }},
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				expectStateString{pinAddress, "upstream_tag", func() string { return tag }},
				expectStateString{pinAddress, "prefect_version", func() string { return "~> 3.4.0" }},
			},
		},
			// The pinned tag re-pushed: on_drift = "warn" holds the pin
			// and says so.
			repushHeldStep(t, reg, rec, config("~> 3.5.0", "warn"), tag, pinned),
		},
	})
}

// repushHeldStep re-pushes the pinned tag, then plans and applies config,
// whose on_drift is "warn": the plan is empty, the pin holds at pinned,
// upstream_digest is the re-pushed image's, and the plan warns of it.
func repushHeldStep(t *testing.T, reg *registrytest.Registry, rec *diagRecorder, config, tag, pinned string) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() { rec.reset(); push(t, reg, tag)() },
		Config:    config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectEmptyPlan(),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			expectStateString{pinAddress, "digest", func() string { return pinned }},
			expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)},
		},
		Check: rec.expectWarning(`Upstream Image Moved: The tag ` + regexp.QuoteMeta(reg.Host()+"/"+prefectRepo+":"+tag) + ` was re-pushed upstream`),
	}
}

// lifecycle { ignore_changes = all }: Terraform plans with every attribute
// as the state holds it, the ones the provider fills in (tag for a
// selector, flavor for a tag) included. The plan took the pinned tag, or
// the filled-in flavor, for a changed selector, and so moved the pin onto
// a re-push of its tag under on_drift = "warn" with no word.
func TestAccLifecycle_ignoreAllChangesHolds(t *testing.T) {
	for name, body := range map[string]string{
		"selector": `prefect_version = "~> 3.4.0"
  python_version  = "3.12"`,
		"tag": `tag = "3.4.2-python3.12"`,
	} {
		t.Run(name, func(t *testing.T) {
			isolateHome(t)
			reg := newSeededRegistry(t, driftTags)
			rec := &diagRecorder{}
			repo := reg.Host() + "/" + prefectRepo
			const tag = "3.4.2-python3.12"
			config := providerConfig(reg) + `
resource "prefectimage_pin" "test" {
  ` + body + `
  on_drift = "warn"

  lifecycle {
    ignore_changes = all
  }
}
`
			pinned := mustDigest(t, reg, tag)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: rec.factories(),
				Steps: []resource.TestStep{{
					Config:            config,
					ConfigStateChecks: pinValues(t, reg, pinAddress, repo, tag),
				},
					repushHeldStep(t, reg, rec, config, tag, pinned),
				},
			})
		})
	}
}

// terraform apply with the registry answering 503 past max_retries, for a
// selector known only at apply (a terraform_data output that changes):
// the apply fails, the pin it would have moved stays in state as it was,
// and a pin it would have created is not in state. Once the registry
// answers, the same apply moves the one and creates the other.
func TestAccLifecycle_failedApplyKeepsPin(t *testing.T) {
	isolateHome(t)
	faults := &faultSwitch{}
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
	s := newCLISession(t)
	config := func(constraint string, fresh bool) string {
		body := faultProviderConfig(reg) + fmt.Sprintf(`
resource "terraform_data" "v" {
  input = %q
}

resource "prefectimage_pin" "test" {
  prefect_version = terraform_data.v.output
  python_version  = "3.12"
}
`, constraint)
		if fresh {
			body += `
resource "prefectimage_pin" "fresh" {
  prefect_version = terraform_data.v.output
}
`
		}
		return body
	}
	s.config(config("~> 3.4.0", false))
	s.must("init", "-input=false")
	s.must("apply", "-input=false", "-auto-approve")
	pinned := mustDigest(t, reg, "3.4.2-python3.12")
	if got := s.attr(pinAddress, "digest"); got != pinned {
		t.Fatalf("digest %s after create, want %s", got, pinned)
	}

	s.config(config("~> 3.5.0", true))
	faults.set(onRegistry(false, answer(http.StatusServiceUnavailable)))()
	out, err := s.run("apply", "-input=false", "-auto-approve")
	if err == nil {
		t.Fatalf("the apply succeeded with the registry answering 503:\n%s", out)
	}
	if !strings.Contains(out, "503") {
		t.Errorf("the failed apply does not say the registry answered 503:\n%s", out)
	}
	for attr, want := range map[string]string{
		"digest": pinned, "tag": "3.4.2-python3.12", "upstream_digest": pinned,
		"prefect_version": "~> 3.4.0", "resolved_prefect_version": "3.4.2",
	} {
		if got := s.attr(pinAddress, attr); got != want {
			t.Errorf("after the failed apply %s = %q, want %q", attr, got, want)
		}
	}
	if list := s.must("state", "list"); strings.Contains(list, "prefectimage_pin.fresh") {
		t.Errorf("a pin whose create failed is in state:\n%s", list)
	}

	faults.set(nil)()
	s.must("apply", "-input=false", "-auto-approve")
	if got, want := s.attr(pinAddress, "digest"), mustDigest(t, reg, "3.5.0-python3.12"); got != want {
		t.Errorf("digest %s once the registry answers, want %s", got, want)
	}
	if got := s.attr("prefectimage_pin.fresh", "tag"); got != "3.5.0-python3.12" {
		t.Errorf("fresh pin tag %s once the registry answers, want 3.5.0-python3.12", got)
	}
	if out := s.must("plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the apply is not empty:\n%s", out)
	}
}

// Config-driven import with for_each (Terraform 1.7): one import block
// brings in a pin per key, each held as imported. One pins the last good
// image of a tag re-pushed since, with on_drift = "warn" and a selector
// the tag meets: the plan imports both and changes only on_drift (an
// import records "update"), holding both pins, and warns of
// the re-push; the plan after the apply is as empty.
func TestAccLifecycle_importForEach(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	s := newCLISession(t)
	s.atLeast("1.7", "1.7")
	repo := reg.Host() + "/" + prefectRepo
	held := mustDigest(t, reg, "3.4.2-python3.12")
	push(t, reg, "3.4.2-python3.12")()
	older := mustDigest(t, reg, "3.4.1-python3.11")
	s.config(providerConfig(reg) + fmt.Sprintf(`
locals {
  pins = {
    flows = { id = "%[1]s:3.4.2-python3.12@%[2]s", prefect_version = "~> 3.4.0", python_version = "3.12", tag = null }
    old   = { id = "%[1]s:3.4.1-python3.11@%[3]s", prefect_version = null, python_version = null, tag = "3.4.1-python3.11" }
  }
}

import {
  for_each = local.pins
  to       = prefectimage_pin.p[each.key]
  id       = each.value.id
}

resource "prefectimage_pin" "p" {
  for_each        = local.pins
  prefect_version = each.value.prefect_version
  python_version  = each.value.python_version
  tag             = each.value.tag
  on_drift        = "warn"
}
`, repo, held, older))
	s.must("init", "-input=false")
	out := s.must("plan", "-input=false")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"Plan: 2 to import, 0 to add, 2 to change, 0 to destroy.", // on_drift, recorded as "update" by the import
		"Upstream Image Moved",
		"The tag " + repo + ":3.4.2-python3.12 was re-pushed upstream",
	} {
		if !strings.Contains(flat, want) {
			t.Fatalf("plan: want %q\n%s", want, out)
		}
	}
	s.must("apply", "-input=false", "-auto-approve")
	if got := s.attr(`prefectimage_pin.p["flows"]`, "digest"); got != held {
		t.Errorf("flows digest %s, want the imported %s", got, held)
	}
	if got := s.attr(`prefectimage_pin.p["old"]`, "digest"); got != older {
		t.Errorf("old digest %s, want the imported %s", got, older)
	}
	if out, err := s.run("plan", "-input=false", "-detailed-exitcode"); err != nil {
		t.Fatalf("the plan after the import's apply is not empty (%v):\n%s", err, out)
	}
	if got := s.attr(`prefectimage_pin.p["flows"]`, "digest"); got != held {
		t.Errorf("flows digest %s after the next plan, want the imported %s", got, held)
	}
}
