package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// A template file saved with a UTF-8 byte order mark (Windows PowerShell 5's
// Out-File -Encoding utf8) reaches the functions through file() with the mark
// still on; they read it as the template without it.
func TestAccRedteam7_templateWithByteOrderMark(t *testing.T) {
	withBOM := filepath.Join(t.TempDir(), "docker.json")
	if err := os.WriteFile(withBOM, []byte("\ufeff"+readJobTemplate(t, "docker.json")), 0o600); err != nil {
		t.Fatal(err)
	}
	plain := jobTemplatePath(t, "docker.json")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
output "starts_with_mark" {
  value = startswith(file(%[1]q), "\ufeff")
}

output "same_as_without" {
  value = provider::prefectimage::set_image_default(file(%[1]q), %[3]q) == provider::prefectimage::set_image_default(file(%[2]q), %[3]q)
}

output "policy" {
  value = jsondecode(provider::prefectimage::set_variable_defaults(file(%[1]q), { image_pull_policy = "Always" })).variables.properties.image_pull_policy.default
}
`, withBOM, plain, sidRef),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("starts_with_mark", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("same_as_without", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("policy", knownvalue.StringExact("Always")),
			},
		}},
	})
}

// A template written in HCL with jsonencode, with the keywords pydantic 2
// writes for Literal["FARGATE"] (const), tuple[str, *tuple[int, ...]]
// (prefixItems and items) and dict[constr(pattern=...), int]
// (patternProperties), takes the values its schema allows and refuses the
// others.
func TestAccRedteam7_schemaKeywordsFromJSONEncode(t *testing.T) {
	const template = `
locals {
  template = jsonencode({
    job_configuration = { launch_type = "{{ launch_type }}" }
    variables = {
      type = "object"
      properties = {
        launch_type = { const = "FARGATE", type = "string" }
        ports       = { type = "array", prefixItems = [{ type = "string" }], items = { type = "integer" } }
        limits      = { type = "object", patternProperties = { "^[a-z]+$" = { type = "integer" } }, additionalProperties = false }
      }
    }
  })
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{
			{
				Config: template + `
output "x" {
  value = provider::prefectimage::set_variable_defaults(local.template, { launch_type = "EC2" })
}
`,
				ExpectError: regexp.MustCompile(`Invalid value for "defaults" parameter:(.|\s)*refuses\s+the\s+string\s+"EC2":\s+it\s+allows\s+exactly\s+"FARGATE"`),
			},
			{
				Config: template + `
locals {
  after = jsondecode(provider::prefectimage::set_variable_defaults(local.template, {
    launch_type = "FARGATE"
    ports       = ["web", 8080, 8443]
    limits      = { cpu = 2, memory = 4096 }
  })).variables.properties
}

output "defaults" {
  value = [local.after.launch_type.default, jsonencode(local.after.ports.default), jsonencode(local.after.limits.default)]
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("defaults", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("FARGATE"),
						knownvalue.StringExact(`["web",8080,8443]`),
						knownvalue.StringExact(`{"cpu":2,"memory":4096}`),
					})),
				},
			},
		},
	})
}
