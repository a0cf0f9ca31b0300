package provider

import (
	"fmt"
	"os"
	"path/filepath"
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
