package provider

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Update's "Pin Not Resolved at Plan Time" is for a planned digest still
// unknown when the pin is updated. Terraform plans every change once more
// at apply, with the configuration and the provider's own configuration
// known by then, and hands Update that final plan, in which ModifyPlan has
// resolved the pin. This drives the nearest sequence through the CLI: a
// selector known only at apply (a terraform_data output about to change),
// planned with -refresh=false into a saved plan that shows the pin as
// known after apply, a newer release pushed, and the saved plan applied.
// The apply resolves the selector then, to the newer release, and the plan
// after it is empty; had Update seen the digest unknown, the apply would
// have failed with "Pin Not Resolved at Plan Time".
func TestAccCLI_unknownSelectorSavedPlanResolvedAtApply(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	s := newCLISession(t)
	config := func(constraint string) string {
		return providerConfig(reg) + fmt.Sprintf(`
resource "terraform_data" "v" {
  input = %q
}

resource "prefectimage_pin" "test" {
  prefect_version = terraform_data.v.output
  python_version  = "3.12"
  on_drift        = "warn"
}
`, constraint)
	}
	s.config(config("~> 3.4.0"))
	s.must("init", "-input=false")
	s.must("apply", "-input=false", "-auto-approve")
	if got, want := s.attr(pinAddress, "digest"), mustDigest(t, reg, "3.4.2-python3.12"); got != want {
		t.Fatalf("created at %s, want %s", got, want)
	}

	s.config(config(">= 3.4"))
	s.must("plan", "-input=false", "-refresh=false", "-out=tfplan")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions      []string       `json:"actions"`
				AfterUnknown map[string]any `json:"after_unknown"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if out := s.must("show", "-json", "tfplan"); json.Unmarshal([]byte(out), &plan) != nil {
		t.Fatalf("terraform show -json tfplan:\n%s", out)
	}
	planned := false
	for _, rc := range plan.ResourceChanges {
		if rc.Address == pinAddress {
			planned = true
			if strings.Join(rc.Change.Actions, ",") != "update" || rc.Change.AfterUnknown["digest"] != true {
				t.Fatalf("the saved plan has %v for the pin, digest unknown %v: want an update with the digest known after apply, or the test proves nothing",
					rc.Change.Actions, rc.Change.AfterUnknown["digest"])
			}
		}
	}
	if !planned {
		t.Fatalf("the saved plan has no change of %s", pinAddress)
	}

	push(t, reg, "3.5.1-python3.12")()
	s.must("apply", "-input=false", "tfplan")
	for attr, want := range map[string]string{"tag": "3.5.1-python3.12", "digest": mustDigest(t, reg, "3.5.1-python3.12")} {
		if got := s.attr(pinAddress, attr); got != want {
			t.Errorf("%s = %s after applying the saved plan, want %s", attr, got, want)
		}
	}
	if out := s.must("plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes.") {
		t.Errorf("the plan after the apply is not empty:\n%s", out)
	}
}
