package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A pin made without required_platforms, on a tag whose index lists
// attestations only, then given required_platforms: the plan fails as the
// data source does and the guarded drift warning warns, with what the
// index lists instead of a platform; given platform, likewise. Before the
// fix the resource's errors said only "it has no platform at all." (and,
// for platform, "Set platform to one of those."), where the other two
// say what the index holds.
func TestAccPinResource_requiredPlatformsAddedOnAttestationsOnlyPin(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	if _, err := reg.PushPlatforms(prefectRepo, "3.4.2-python3.12"); err != nil { // attestations only
		t.Fatal(err)
	}
	config := func(required string) string {
		return providerConfig(reg) + `
resource "prefectimage_pin" "test" {
  tag = "3.4.2-python3.12"
` + required + `
}`
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config(""),
		}, {
			Config:      config(`required_platforms = ["linux/amd64"]`),
			ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*lacks\s+the\s+required\s+linux/amd64;\s+it\s+has\s+no\s+platform\s+at\s+all:\s+its\s+index\s+lists\s+one\s+entry`),
		}, {
			Config:      config(`platform = "linux/amd64"`),
			ExpectError: regexp.MustCompile(`(?s)Platform Not Published for the Image.*no\s+image\s+for\s+platform\s+"linux/amd64";\s+it\s+has\s+no\s+platform\s+at\s+all:\s+its\s+index\s+lists\s+one\s+entry.*Remove\s+platform`),
		}},
	})
}
