package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A pin or releases data source that names a repository the registry does
// not have (a typo in one mirror path among 40 pins) fails on its
// repository attribute, so that Terraform points at that line, as a tag
// that does not exist fails on tag; a pin that names none, in the
// provider's repository, fails on its block. Before, every Repository Not
// Found was on the block (s52-scale).
func TestAccRepositoryNotFoundOnTheAttribute(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.4.2-python3.12"})
	missing := reg.Host() + "/prefecthq/prefectt"
	for name, tc := range map[string]struct{ body, want string }{
		"pin data source": {
			fmt.Sprintf("data \"prefectimage_pin\" \"x\" {\n  repository = %q\n}\n", missing),
			`Repository Not Found.*repository = "` + regexp.QuoteMeta(missing) + `"`,
		},
		"releases data source": {
			fmt.Sprintf("data \"prefectimage_releases\" \"x\" {\n  repository = %q\n}\n", missing),
			`Repository Not Found.*repository = "` + regexp.QuoteMeta(missing) + `"`,
		},
		"pin resource": {
			fmt.Sprintf("resource \"prefectimage_pin\" \"x\" {\n  repository = %q\n  prefect_version = \"~> 3.4.0\"\n}\n", missing),
			`Repository Not Found.*repository = "` + regexp.QuoteMeta(missing) + `"`,
		},
		"pin resource changing its repository": {
			// planned after a first step in the registry's repository
			fmt.Sprintf("resource \"prefectimage_pin\" \"x\" {\n  repository = %q\n  prefect_version = \"~> 3.4.0\"\n}\n", missing),
			`Repository Not Found.*repository = "` + regexp.QuoteMeta(missing) + `"`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			var steps []resource.TestStep
			if name == "pin resource changing its repository" {
				steps = append(steps, resource.TestStep{Config: providerConfig(reg) + fmt.Sprintf("resource \"prefectimage_pin\" \"x\" {\n  repository = %q\n  prefect_version = \"~> 3.4.0\"\n}\n", reg.Host()+"/"+prefectRepo)})
			}
			steps = append(steps, resource.TestStep{Config: providerConfig(reg) + tc.body, ExpectError: regexp.MustCompile(`(?s)` + tc.want)})
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
		})
	}
	// The provider's own repository missing: the block, not an attribute
	// the pin does not have.
	t.Run("provider repository", func(t *testing.T) {
		config := fmt.Sprintf("provider \"prefectimage\" {\n  repository = %q\n  max_retries = 0\n}\ndata \"prefectimage_pin\" \"x\" {\n  prefect_version = \"~> 3.4.0\"\n}\n", missing)
		resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Repository Not Found.*in data "prefectimage_pin" "x":\s+\d+: data "prefectimage_pin" "x" \{`),
		}}})
	})
}
