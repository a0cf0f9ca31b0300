package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Defaults built as a map(string), as a module variable of that type or
// tomap() makes them, hold a bool as "false": the error says to write it
// without quotes, as it does for a number in quotes.
func TestAccRedteam54fMapOfStringsBoolHint(t *testing.T) {
	words := func(s string) string { return strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`) }
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
				words(`refuses the string "false": it allows a bool; write it as a bool, false, without quotes`)),
		}},
	})
}
