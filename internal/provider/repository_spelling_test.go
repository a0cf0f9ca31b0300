package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// spelledPinConfig is a pin on repository (spelled as given) with a
// selector that driftTags answer with 3.4.2-python3.12 until
// 3.4.3-python3.12 is pushed, and extra lines in its block.
func spelledPinConfig(repository, onDrift string, extra ...string) string {
	return fmt.Sprintf(`
provider "prefectimage" {
  max_retries     = 1
  request_timeout = "10s"
}

resource "prefectimage_pin" "test" {
  repository      = %q
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  on_drift        = %q
%s
}

resource "terraform_data" "pool" {
  input = prefectimage_pin.test.ref
}
`, repository, onDrift, strings.Join(extra, "\n"))
}

// A repository written again with its host in another case
// (localhost:PORT as LOCALHOST:PORT) is the same repository, so it is no
// changed selector: with upstream moved, on_drift still decides. The
// plan respells repository, ref, tagged_ref and platform_ref as
// configured and holds the tag and digest under "warn"; under "error" it
// fails with Upstream Image Moved. Before, the respelled repository was
// resolved afresh like a new selector, and the pin moved to the newer
// release past on_drift.
func TestAccPinResource_respelledRepositoryIsNoChange(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	lower := "localhost:" + port(t, reg.Host()) + "/" + prefectRepo
	upper := "LOCALHOST:" + port(t, reg.Host()) + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	const platform = `  platform        = "linux/arm64"`
	var pinned, arm64 string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: spelledPinConfig(lower, "warn", platform),
			Check: func(*terraform.State) error {
				pinned, arm64 = mustDigest(t, reg, tag), platformDigestsOf(t, reg, tag)()["linux/arm64"]
				return nil
			},
		}, {
			PreConfig: push(t, reg, "3.4.3-python3.12"),
			Config:    spelledPinConfig(upper, "warn", platform),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "tag", func() string { return tag }},
				expectPlannedString{pinAddress, "digest", func() string { return pinned }},
				expectPlannedString{pinAddress, "ref", func() string { return upper + "@" + pinned }},
				expectPlannedString{pinAddress, "tagged_ref", func() string { return upper + ":" + tag + "@" + pinned }},
				expectPlannedString{pinAddress, "platform_ref", func() string { return upper + "@" + arm64 }},
				expectPlannedString{"terraform_data.pool", "input", func() string { return upper + "@" + pinned }},
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("repository"), knownvalue.StringExact(upper)),
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("upstream_tag"), knownvalue.StringExact("3.4.3-python3.12")),
			},
		}, {
			Config:      spelledPinConfig(lower, "error", platform),
			ExpectError: regexp.MustCompile(`(?s)Upstream Image Moved.*A\s+newer\s+release\s+now\s+meets\s+the\s+selector.*3\.4\.3-python3\.12`),
		}},
	})
}

// A pin imported with its repository spelled otherwise than the
// configuration spells it (LOCALHOST:PORT in the ID, localhost:PORT in the
// configuration) is the same repository: the configured selector is
// adopted, and under on_drift = "warn" the first plan holds the imported
// tag and digest (respelling repository and ref as configured), and under
// "error" it fails with Upstream Image Moved. Before, the configured
// selector counted as a changed one, and the first plan moved the pin to
// what the selector picks now, past on_drift.
func TestAccPinResource_importRespelledRepositoryHolds(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	lower := "localhost:" + port(t, reg.Host()) + "/" + prefectRepo
	upper := "LOCALHOST:" + port(t, reg.Host()) + "/" + prefectRepo
	const held = "3.4.1-python3.12" // the selector picks 3.4.2-python3.12 now
	heldDigest := mustDigest(t, reg, held)
	for _, tc := range []struct{ id, configured string }{
		{upper + ":" + held + "@" + heldDigest, lower},
		{lower + ":" + held + "@" + heldDigest, upper},
	} {
		t.Run(tc.configured, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{importPin(spelledPinConfig(tc.configured, "warn"), tc.id), {
					Config: spelledPinConfig(tc.configured, "warn"),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
						expectPlannedString{pinAddress, "tag", func() string { return held }},
						expectPlannedString{pinAddress, "digest", func() string { return heldDigest }},
						expectPlannedString{pinAddress, "ref", func() string { return tc.configured + "@" + heldDigest }},
					}},
				}, {
					Config:      spelledPinConfig(tc.configured, "error"),
					ExpectError: regexp.MustCompile(`(?s)Upstream Image Moved.*A\s+newer\s+release\s+now\s+meets\s+the\s+selector.*3\.4\.2-python3\.12`),
				}},
			})
		})
	}
}

// A pin imported by digest alone, with its repository spelled otherwise
// than the configuration that names its tag, is taken as imported with
// that tag, as in the same spelling: after the tag was re-pushed, the first
// plan holds the imported digest under on_drift = "warn" and fails with
// Upstream Image Moved under "error". Before, the tag counted as a changed
// selector, and the plan moved the pin to the re-pushed digest.
func TestAccPinResource_importByDigestRespelledRepositoryHolds(t *testing.T) {
	testImportRespelledTagHolds(t, false)
}

// The same with the tag in the import ID (LOCALHOST:PORT/…:tag@digest under
// a configuration of localhost:PORT/… and that tag): the configured tag is
// the imported one, so the first plan holds the imported digest under
// "warn" and fails under "error". Before, the respelled repository made
// the configured tag a changed selector, and the plan resolved the tag
// afresh to its re-pushed digest.
func TestAccPinResource_importTaggedRespelledRepositoryHolds(t *testing.T) {
	testImportRespelledTagHolds(t, true)
}

// testImportRespelledTagHolds imports a digest of 3.4.2-python3.12 that
// the tag no longer points at, with the repository spelled LOCALHOST:PORT
// in the ID (with the tag when withTag) and localhost:PORT in a
// configuration naming the tag.
func testImportRespelledTagHolds(t *testing.T, withTag bool) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	lower := "localhost:" + port(t, reg.Host()) + "/" + prefectRepo
	upper := "LOCALHOST:" + port(t, reg.Host()) + "/" + prefectRepo
	const tag = "3.4.2-python3.12"
	held := mustDigest(t, reg, tag)
	push(t, reg, tag)()
	if mustDigest(t, reg, tag) == held {
		t.Fatal("the re-push did not change the digest; the test proves nothing")
	}
	id := upper + "@" + held
	if withTag {
		id = upper + ":" + tag + "@" + held
	}
	config := func(onDrift string) string {
		return fmt.Sprintf(`
provider "prefectimage" {
  max_retries     = 1
  request_timeout = "10s"
}

resource "prefectimage_pin" "test" {
  repository = %q
  tag        = %q
  on_drift   = %q
}
`, lower, tag, onDrift)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{importPin(config("warn"), id), {
			Config: config("warn"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionUpdate),
				expectPlannedString{pinAddress, "digest", func() string { return held }},
				expectPlannedString{pinAddress, "tagged_ref", func() string { return lower + ":" + tag + "@" + held }},
			}},
		}, {
			Config:      config("error"),
			ExpectError: regexp.MustCompile(`(?s)Upstream Image Moved.*re-pushed`),
		}},
	})
}

// port is the port of host:port.
func port(t *testing.T, hostport string) string {
	t.Helper()
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 {
		t.Fatalf("%q has no port", hostport)
	}
	return hostport[i+1:]
}
