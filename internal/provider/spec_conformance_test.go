package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
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
			ExpectError: regexp.MustCompile(`(?s)Image Tag Not Found.*tag\s+or\s+repository\s+does\s+not\s+exist.*Check\s+the\s+repository\s+and\s+the\s+tag\.`),
		}},
	})
}

// A selector written again with other white space ("~> 3.4.0" as
// "~>3.4.0", ">= 3.4, < 3.5" as ">=3.4,<3.5") means the same, so it is no
// changed selector: with upstream moved, on_drift still decides, and the
// pin holds under "warn" and "error". Before, it was resolved afresh like
// a new selector, and the pin moved to the newer release past on_drift.
func TestAccSpec_respacedSelectorIsNoChange(t *testing.T) {
	testSelectorRespellingHolds(t, [3][2]string{{">= 3.4, < 3.5", "3.12"}, {">=3.4,<3.5", " 3.12 "}, {" >= 3.4 ,< 3.5", "3.12"}})
}

// A selector respelled with the same parsed clauses (clauses in another
// order, an equality written bare, "=" or "==") means the same, so it is no
// changed selector either: with upstream moved, on_drift decides, and the
// pin holds under "warn" and "error". Before, only white space was
// forgiven, and the pin moved to the newer release past on_drift.
func TestAccSpec_respelledSelectorIsNoChange(t *testing.T) {
	testSelectorRespellingHolds(t, [3][2]string{{">= 3.4, < 3.5", "3.12"}, {"< 3.5, >= 3.4", "==3.12"}, {"<3.5,>=3.4", "= 3.12"}})
}

// testSelectorRespellingHolds pins with spellings[0] (prefect_version,
// python_version) under on_drift = "warn", pushes a newer release, and
// checks that spellings[1] under "warn" keeps the pin and spellings[2]
// under "error" fails with Upstream Image Moved.
func testSelectorRespellingHolds(t *testing.T, spellings [3][2]string) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	var pinned string
	config := func(i int, onDrift string) string {
		return pinConfig(reg, fmt.Sprintf("  prefect_version = %q\n  python_version  = %q\n  on_drift        = %q", spellings[i][0], spellings[i][1], onDrift))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config(0, "warn"),
			Check:  func(*terraform.State) error { pinned = mustDigest(t, reg, "3.4.2-python3.12"); return nil },
		}, {
			PreConfig: push(t, reg, "3.4.3-python3.12"),
			Config:    config(1, "warn"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", func() string { return pinned }},
				expectPlannedString{pinAddress, "tag", func() string { return "3.4.2-python3.12" }},
			}},
		}, {
			Config:      config(2, "error"),
			ExpectError: regexp.MustCompile(`(?s)Upstream Image Moved.*A\s+newer\s+release\s+now\s+meets\s+the\s+selector.*3\.4\.3-python3\.12`),
		}},
	})
}
