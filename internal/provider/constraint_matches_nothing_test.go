package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A prefect_version or python_version no version can meet draws a warning
// at validate time on the attribute, naming the two clauses that exclude
// each other, for the pin data source, the pin resource and the releases
// data source alike; no registry is contacted for it. The repository is
// known only at apply, so the plan reads nothing: the warning can come from
// the constraint alone. A constraint some version meets draws none, unless
// only prereleases meet it and allow_prereleases is not true.
func TestAccConstraintMatchesNothingWarns(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12", "3.4.2-python3.12"})
	for _, kind := range []string{`data "prefectimage_pin"`, `resource "prefectimage_pin"`, `data "prefectimage_releases"`} {
		for _, c := range []struct {
			attr, value, warning string // warning "": none
			extra                string
		}{
			{"prefect_version", ">= 3.4, < 3.1",
				`warning: Prefect Version Matches No Version: prefect_version ">= 3.4, < 3.1" can match no version: ">= 3.4" and "< 3.1" exclude each other`, ""},
			{"prefect_version", "==3.1.*, ==3.2.*",
				`warning: Prefect Version Matches No Version: prefect_version "==3.1.*, ==3.2.*" can match no version: "==3.1.*" and "==3.2.*" exclude each other`, ""},
			{"python_version", ">= 3.12, < 3.10",
				`warning: Python Version Matches No Python: python_version ">= 3.12, < 3.10" can match no Python: ">= 3.12" and "< 3.10" exclude each other`, ""},
			// Only prereleases meet it: nothing without allow_prereleases.
			{"prefect_version", ">= 3.1.0rc1, < 3.1.0rc5",
				`warning: Prefect Version Matches Only Prereleases: prefect_version ">= 3.1.0rc1, < 3.1.0rc5" is met by prereleases alone`, ""},
			{"prefect_version", ">= 3.1.0rc1, < 3.1.0rc5", "", "allow_prereleases = true"},
			{"python_version", ">= 3.10, < 3.13", "", ""},
		} {
			t.Run(fmt.Sprintf("%s %s %s %s", kind, c.attr, c.value, c.extra), func(t *testing.T) {
				reg.ResetCounts()
				rec := &diagRecorder{}
				resource.UnitTest(t, resource.TestCase{
					ProtoV6ProviderFactories: rec.factories(),
					Steps: []resource.TestStep{{
						Config: providerConfig(reg) + fmt.Sprintf(`
resource "terraform_data" "later" {
  input = %[3]q
}

%[1]s "test" {
  repository = terraform_data.later.output
  %[2]s = %[4]q
  %[5]s
}
`, kind, c.attr, reg.Host()+"/"+prefectRepo, c.value, c.extra),
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
					}},
				})
				rec.mu.Lock()
				diags := strings.Join(rec.diags, "\n")
				rec.mu.Unlock()
				if c.warning == "" {
					if strings.Contains(diags, "Matches No") || strings.Contains(diags, "Matches Only") {
						t.Errorf("%s %q drew a warning it does not deserve:\n%s", c.attr, c.value, diags)
					}
				} else if !regexp.MustCompile(regexp.QuoteMeta(c.warning)).MatchString(diags) {
					t.Errorf("no warning %q; diagnostics were:\n%s", c.warning, diags)
				}
				if n := reg.Counts().Total(); n != 0 {
					t.Errorf("the plan reached the registry: %v", reg.Requests())
				}
			})
		}
	}
}
