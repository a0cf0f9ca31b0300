package provider

import (
	"regexp"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Session 56's review of the platform guard's open edges (redteam56p),
// through the Terraform CLI.

// A tag whose index lists windows/amd64 twice, once per Windows version
// (os.version 10.0.17763.5458 for Server 2019, 10.0.20348.2340 for 2022,
// as mcr.microsoft.com/windows/servercore's do), and linux/amd64: a
// Windows host runs only the image of its own version, so platform =
// "windows/amd64" must pin neither, and say why; platform_digests names
// both, each keyed with its os.version as containerd's FormatAll writes
// it; required_platforms = ["windows/amd64"] is met, and platform =
// "linux/amd64" still pins. A version written as containerd writes it,
// in full or as the build a host runs, picks its image, and is required
// as one: windows(10.0.20348)/amd64 pins the 2022 image, and
// windows(10.0.26100)/amd64 (Server 2025) is lacking. Before the fix the
// index's first windows entry stood for windows/amd64: platform pinned it
// silently, platform_digests left the other out, and no version could be
// asked for.
func TestAccRedteam56pWindowsVersionsNotPinnedSilently(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.4.2-python3.12"})
	const tag = "3.4.3-python3.12"
	_, images, err := reg.PushPlatformSpecs(prefectRepo, tag,
		v1.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.5458"},
		v1.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2340"},
		v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	ltsc2019, ltsc2022 := "windows(10.0.17763.5458)/amd64", "windows(10.0.20348.2340)/amd64"
	allThree := knownvalue.MapExact(map[string]knownvalue.Check{
		ltsc2019:      knownvalue.StringExact(images[0]),
		ltsc2022:      knownvalue.StringExact(images[1]),
		"linux/amd64": knownvalue.StringExact(images[2]),
	})
	for _, kind := range []string{"data", "resource"} {
		t.Run(kind, func(t *testing.T) {
			block, address := `resource "prefectimage_pin" "test"`, "prefectimage_pin.test"
			if kind == "data" {
				block, address = `data "prefectimage_pin" "test"`, "data.prefectimage_pin.test"
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: providerConfig(reg) + block + ` {
  tag      = "` + tag + `"
  platform = "windows/amd64"
}
`,
					ExpectError: regexp.MustCompile(`(?s)Platform Published Twice in the Image.*` +
						regexp.QuoteMeta(ltsc2019) + `\s+and\s+` + regexp.QuoteMeta(ltsc2022) +
						`.*a\s+Windows\s+host\s+pulls\s+the\s+image\s+of\s+its\s+own\s+version.*` + regexp.QuoteMeta("windows(10.0.17763.5458)/amd64,")),
				}, {
					Config: providerConfig(reg) + block + ` {
  tag                = "` + tag + `"
  required_platforms = ["windows/amd64", "linux/amd64"]
}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digests"), allThree),
					},
				}, {
					Config: providerConfig(reg) + block + ` {
  tag                = "` + tag + `"
  platform           = "windows(10.0.20348)/amd64"
  required_platforms = ["windows(10.0.17763.5458)/amd64"]
}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digest"), knownvalue.StringExact(images[1])),
					},
				}, {
					Config: providerConfig(reg) + block + ` {
  tag                = "` + tag + `"
  required_platforms = ["windows(10.0.26100)/amd64"]
}
`,
					ExpectError: regexp.MustCompile(`(?s)Image Lacks Required Platforms.*lacks the required\s+windows\(10\.0\.26100\)/amd64`),
				}, {
					Config: providerConfig(reg) + block + ` {
  tag      = "` + tag + `"
  platform = "linux/amd64"
}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digest"), knownvalue.StringExact(images[2])),
						statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digests"), allThree),
					},
				}},
			})
		})
	}
}
