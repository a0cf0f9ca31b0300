package provider

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A plan whose refresh failed moves no pin, not even to mend a pinned
// image that lacks a newly required platform: the move an earlier refresh
// recorded in upstream_* (held under on_drift = "warn"), with the
// platforms it recorded in private state, is not what upstream is now.
// The plan fails as for any pinned image lacking a required platform;
// once the registry answers, on_drift = "update" follows upstream.
func TestAccReview22_refreshFaultMendsNoPinFromStaleUpstream(t *testing.T) {
	isolateHome(t)
	faults := &faultSwitch{}
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(faults.middleware))
	const tag = "3.4.2-python3.12"
	config := func(required, onDrift string) string {
		return faultProviderConfig(reg) + `
resource "prefectimage_pin" "test" {
  prefect_version    = "~> 3.4.0"
  python_version     = "3.12"
  required_platforms = ` + required + `
  on_drift           = "` + onDrift + `"
}
`
	}
	var pinned string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				pushPlatforms(t, reg, nil, tag, "linux/amd64")()
				pinned = mustDigest(t, reg, tag)
			},
			Config: config(`["linux/amd64"]`, "warn"),
		}, {
			// Upstream gains linux/arm64; "warn" holds the pin, and the
			// refresh records upstream's platforms.
			PreConfig: pushPlatforms(t, reg, nil, tag, "linux/amd64", "linux/arm64"),
			Config:    config(`["linux/amd64"]`, "warn"),
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", func() string { return pinned }},
				expectStateString{pinAddress, "upstream_digest", digestOf(t, reg, tag)},
			},
		}, {
			// The registry fails: the refresh says the pin holds as it was.
			PreConfig:   faults.set(onRegistry(false, answer(http.StatusServiceUnavailable))),
			Config:      config(`["linux/amd64", "linux/arm64"]`, "update"),
			ExpectError: regexp.MustCompile(`Image Lacks Required Platforms`),
		}, {
			PreConfig: faults.set(nil),
			Config:    config(`["linux/amd64", "linux/arm64"]`, "update"),
			ConfigStateChecks: []statecheck.StateCheck{
				expectStateString{pinAddress, "digest", digestOf(t, reg, tag)},
			},
		}},
	})
}
