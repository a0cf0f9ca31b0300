package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A repository whose only tags are moving, sha-, another scheme's or junk
// has no release: the releases data source lists nothing (latest null,
// no error), a selector fails saying the repository has no release tags at
// all, and the tag attribute still names a moving tag.
func TestAccRedteam54sOnlyMovingAndJunkTags(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{
		"3-latest", "3-latest-conda", "3.1-python3.12", "3-python3.12-kubernetes", "sha-1da1544-python3.12",
		"0.7.5-python3.12-prefect3.6.20", "main", "latest", "3.1.15", "v3.1.15-python3.12", "3.1.15-python-3.12",
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `
data "prefectimage_releases" "all" {
  allow_prereleases = true
}
data "prefectimage_pin" "moving" {
  tag = "3-latest"
}
`,
			ConfigStateChecks: append(expectReleases("data.prefectimage_releases.all"),
				statecheck.ExpectKnownValue("data.prefectimage_pin.moving", tfjsonpath.New("tag"), knownvalue.StringExact("3-latest"))),
		}, {
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {}`,
			ExpectError: wrapped(`no tag matches prefect_version (any), python_version (any), flavor "standard". ` +
				`The repository has no release tags (such as 3.1.15-python3.12) at all.`),
		}},
	})
}

// When the newest release has conda images only (its standard build
// failed), the default flavor picks the newest release that has a
// standard image, conda picks the newest release, and the releases data
// source lists each release under the flavor it has.
func TestAccRedteam54sNewestOnlyConda(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{
		"3.8.4-python3.12-conda", "3.8.4-python3.9-conda",
		"3.8.3-python3.10", "3.8.3-python3.9", "3.8.3-python3.12-conda",
		"3.8-python3.12", "3-latest",
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `
data "prefectimage_pin" "standard" {}
data "prefectimage_pin" "conda" {
  flavor = "conda"
}
data "prefectimage_releases" "standard" {
  flavor = "standard"
}
data "prefectimage_releases" "all" {}
`,
			ConfigStateChecks: append(append([]statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.prefectimage_pin.standard", tfjsonpath.New("tag"), knownvalue.StringExact("3.8.3-python3.10")),
				statecheck.ExpectKnownValue("data.prefectimage_pin.conda", tfjsonpath.New("tag"), knownvalue.StringExact("3.8.4-python3.12-conda")),
			}, expectReleases("data.prefectimage_releases.standard", "3.8.3: 3.8.3-python3.9 3.8.3-python3.10")...),
				expectReleases("data.prefectimage_releases.all",
					"3.8.4: 3.8.4-python3.9-conda 3.8.4-python3.12-conda",
					"3.8.3: 3.8.3-python3.9 3.8.3-python3.10 3.8.3-python3.12-conda")...),
		}, {
			// Python 3.12 exists for 3.8.4 only in conda: the error says so.
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  prefect_version = "3.8.4"
}`,
			ExpectError: regexp.MustCompile(`(?s)No Prefect Image Matches the Selector.*` + wrapped(`Newest version meeting "3.8.4" is 3.8.4, published for Python 3.9, 3.12 in flavor conda.`).String()),
		}},
	})
}

// PEP 440 and Terraform forms the provider does not take are refused at
// validate time, before any request, each with what to write instead.
func TestAccRedteam54sReleasesRefusedForms(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	cases := []invalidCase{
		{"compatible release of one number", `prefect_version = "~=3"`, `(?s)Invalid Prefect Version Constraint.*"~="\s+needs\s+at\s+least\s+two\s+release\s+numbers,\s+such\s+as\s+"~=3\.0"`},
		{"arbitrary equality", `prefect_version = "===3.1.15"`, `(?s)Invalid Prefect Version Constraint.*"==="\s+is\s+not\s+supported;\s+use\s+"=="\s+or\s+"="`},
		{"epoch", `prefect_version = "1!3.0"`, `(?s)Invalid Prefect Version Constraint.*epochs`},
		{"local version", `prefect_version = "3.1.15+abc"`, `(?s)Invalid Prefect Version Constraint.*local\s+versions`},
		{"leading zero", `prefect_version = "3.01"`, `(?s)Invalid Prefect Version Constraint.*"01"\s+has\s+a\s+leading\s+zero`},
		{"trailing comma", `prefect_version = ">=3.1,"`, `(?s)Invalid Prefect Version Constraint.*empty\s+clause`},
		{"clauses without a comma", `prefect_version = ">= 3.1 < 3.4"`, `(?s)Invalid Prefect Version Constraint.*separate\s+clauses\s+with\s+commas`},
		{"semver prerelease", `prefect_version = "3.0.0-rc1"`, `(?s)Invalid Prefect Version Constraint.*PEP\s+440\s+normal\s+form`},
		{"wildcard with a Terraform operator", `prefect_version = "~> 3.1.*"`, `(?s)Invalid Prefect Version Constraint.*only\s+goes\s+with\s+"=="\s+or\s+"!="`},
		{"python major alone", `python_version = "3"`, `(?s)Invalid Python Version.*major\.minor.*">=\s+3"`},
		{"python with its prefix", `python_version = "python3.12"`, `(?s)Invalid Python Version.*write\s+the\s+version\s+alone,\s+such\s+as\s+"3\.12"`},
		{"python bare wildcard", `python_version = "3.12.*"`, `(?s)Invalid Python Version.*"==3\.12\.\*"`},
	}
	expectInvalid(t, reg, func(body string) string {
		return providerConfig(reg) + "data \"prefectimage_releases\" \"test\" {\n  " + body + "\n}\n"
	}, cases)
}
