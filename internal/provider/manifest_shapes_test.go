package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// An image index listing linux/arm64/v8 and linux/arm64 with different
// images (manifests of two builders merged by hand). Docker and containerd
// pull, for either platform, the image listed first; the provider pinned
// the entry that names the platform exactly, for linux/arm64 the image no
// pull of the index gives. Asked for either, the data source and a kept
// pin given platform fail, naming both entries.
func TestAccManifestShapes_platformListedTwice(t *testing.T) {
	isolateHome(t)
	const tag = "3.4.2-python3.12"
	reg := newSeededRegistry(t, []string{tag})
	if _, err := reg.PushPlatforms(prefectRepo, tag, "linux/amd64", "linux/arm64/v8", "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	twice := wrapped(`lists linux/arm64 and linux/arm64/v8 with different images`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  tag      = "` + tag + `"
  platform = "linux/arm64"
}`,
			ExpectError: twice,
		}, {
			Config: providerConfig(reg) + `resource "prefectimage_pin" "test" {
  tag = "` + tag + `"
}`,
		}, {
			Config: providerConfig(reg) + `resource "prefectimage_pin" "test" {
  tag      = "` + tag + `"
  platform = "linux/arm64/v8"
}`,
			ExpectError: twice,
		}},
	})
}
