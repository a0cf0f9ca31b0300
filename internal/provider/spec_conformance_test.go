package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A repository that does not exist, asked for with a selector (no tag):
// its tag list is missing, and the error says the repository is not
// found, as the releases data source does, and asks to check the
// repository, not a tag nobody gave. Before, the pin's title was "Image
// Tag Not Found" and the text said "Check the repository and the tag".
// With tag set, the tag or the repository may be at fault: it says so.
func TestAccSpec_absentRepositoryNamedNotTag(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	absent := reg.Host() + "/acme/absent"
	notTag := regexp.MustCompile(`(?s)Repository Not Found.*` + regexp.QuoteMeta(absent) + `.*does\s+not\s+exist.*Check\s+the\s+repository\.`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + fmt.Sprintf(`
data "prefectimage_pin" "test" {
  repository      = %q
  prefect_version = "~> 3.1.0"
}
`, absent),
			ExpectError: notTag,
		}, {
			Config: providerConfig(reg) + fmt.Sprintf(`
resource "prefectimage_pin" "test" {
  repository = %q
}
`, absent),
			ExpectError: notTag,
		}, {
			Config: providerConfig(reg) + fmt.Sprintf(`
data "prefectimage_releases" "test" {
  repository = %q
}
`, absent),
			ExpectError: notTag,
		}, {
			Config: providerConfig(reg) + fmt.Sprintf(`
data "prefectimage_pin" "test" {
  repository = %q
  tag        = "3-latest"
}
`, absent),
			ExpectError: regexp.MustCompile(`(?s)Image Tag Not Found.*tag or repository does\s+not\s+exist.*Check\s+the\s+repository\s+and\s+the\s+tag\.`),
		}},
	})
}
