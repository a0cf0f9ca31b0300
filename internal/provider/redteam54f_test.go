package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Defaults built as a map(string), as a module variable of that type or
// tomap() makes them, hold a bool as "false": the error says to write it
// without quotes, as it does for a number in quotes.
func TestAccRedteam54fMapOfStringsBoolHint(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
variable "defaults" {
  type    = map(string)
  default = { image = %q, stream_output = false }
}
output "x" {
  value = provider::prefectimage::set_variable_defaults(file(%q), var.defaults)
}
`, sidRef, jobTemplatePath(t, "kubernetes.json")),
			ExpectError: regexp.MustCompile(`Invalid value for "defaults" parameter:(.|\s)*` +
				wrapped(`refuses the string "false": it allows a bool; write it as a bool, false, without quotes`).String()),
		}},
	})
}

// A default known only in part at plan time (an env map with one value from
// another resource) was checked by its name alone, so a wrong value beside
// the unknown one failed the apply, after the other resources were changed:
// the known part is checked at plan time now.
func TestAccRedteam54fPartlyKnownValueCheckedAtPlan(t *testing.T) {
	kubernetes := jobTemplatePath(t, "kubernetes.json")
	config := func(defaults string) string {
		return fmt.Sprintf(`
resource "terraform_data" "later" {
  input = "x"
}

output "template" {
  value = provider::prefectimage::set_variable_defaults(file(%q), %s)
}
`, kubernetes, defaults)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config:   config(`{ env = { PORT = 8080, TOKEN = terraform_data.later.output } }`),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`Invalid value for "defaults" parameter:(.|\s)*` +
					wrapped(`refuses env.PORT, the number 8080: it allows a string or null there`).String()),
			},
			{
				Config:   config(`{ cluster_config = { context_name = 1, config = terraform_data.later.output } }`),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`Invalid value for "defaults" parameter:(.|\s)*` +
					wrapped(`refuses cluster_config.context_name, the number 1: it allows a string there`).String()),
			},
			{
				// Valid and partly known: known after apply, then set.
				Config: config(`{ env = { PORT = "8080", TOKEN = terraform_data.later.output }, image = "prefecthq/prefect:${terraform_data.later.output}" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownOutputValue("template")},
				},
				Check: resource.TestCheckOutput("template", mustSetDefaults(t, kubernetes, map[string]any{
					"env": map[string]any{"PORT": "8080", "TOKEN": "x"}, "image": "prefecthq/prefect:x"})),
			},
		},
	})
}

// A null argument, where each function's documentation says it may not be
// one, is Terraform's "Invalid function argument" naming the parameter, at
// plan time; none of them is taken for an empty template or tag.
func TestAccRedteam54fNullArguments(t *testing.T) {
	kubernetes := jobTemplatePath(t, "kubernetes.json")
	step := func(call, param string) resource.TestStep {
		return resource.TestStep{
			Config:      "output \"x\" {\n  value = " + call + "\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Invalid function argument(.|\s)*` + regexp.QuoteMeta(`"`+param+`"`)),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			step(`provider::prefectimage::parse_tag(null)`, "tag"),
			step(`provider::prefectimage::set_image_default(null, "prefecthq/prefect:3-latest")`, "base_job_template"),
			step(fmt.Sprintf(`provider::prefectimage::set_image_default(file(%q), null)`, kubernetes), "image"),
			step(`provider::prefectimage::set_variable_defaults(null, {})`, "base_job_template"),
		},
	})
}

// env = jsonencode({...}), as a deployment's job_variables is written, is
// refused with the advice to drop the jsonencode.
func TestAccRedteam54fJSONEncodedValueHint(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
output "x" {
  value = provider::prefectimage::set_variable_defaults(file(%q), {
    env = jsonencode({ EXTRA_PIP_PACKAGES = "pandas==2.2.3" })
  })
}
`, jobTemplatePath(t, "kubernetes.json")),
			ExpectError: regexp.MustCompile(`Invalid value for "defaults" parameter:(.|\s)*` +
				wrapped(`it is the JSON text of an object: pass the object itself, without jsonencode`).String()),
		}},
	})
}
