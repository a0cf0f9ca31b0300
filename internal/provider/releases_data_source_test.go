package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// releasesTags is a small repository with missing cells, numbers that sort
// apart lexically and as numbers (3.10.0 and 3.2.0, rc9 and rc10), and tags
// that are never listed: moving, sha-, another scheme's and junk.
var releasesTags = []string{
	"3.2.0-python3.9", "3.2.0-python3.9-conda", "3.2.0-python3.10", "3.2.0-python3.12", "3.2.0-python3.12-conda",
	"3.2.0-python3.12-kubernetes", "3.2.0-python3.13",
	"3.10.0-python3.11",
	"3.1.9-python3.12", "3.1.9-python3.9-conda",
	"2.20.25-python3.8", "2.20.25-python3.12-kubernetes",
	"3.2.1.dev2-python3.12", "3.3.0rc9-python3.12", "3.3.0rc10-python3.11-conda", "3.3.0rc10-python3.12",
	"3.2-python3.12", "3-python3.12", "3-latest", "2-latest-conda", "sha-1da1544-python3.12",
	"0.7.5-python3.12-prefect3.6.20", "main",
}

// expectReleases checks versions, latest and releases of a
// prefectimage_releases data source. Each want is "version: tag tag …" in
// the order expected; each image's Python and flavor are read off its tag
// here with plain string handling.
func expectReleases(address string, want ...string) []statecheck.StateCheck {
	versions := []knownvalue.Check{}
	releases := []knownvalue.Check{}
	for _, w := range want {
		version, tags, _ := strings.Cut(w, ": ")
		versions = append(versions, knownvalue.StringExact(version))
		images := []knownvalue.Check{}
		for _, tag := range strings.Fields(tags) {
			_, rest, _ := strings.Cut(tag, "-python")
			python, flavor, _ := strings.Cut(rest, "-")
			if flavor == "" {
				flavor = "standard"
			}
			images = append(images, knownvalue.ObjectExact(map[string]knownvalue.Check{
				"tag":            knownvalue.StringExact(tag),
				"python_version": knownvalue.StringExact(python),
				"flavor":         knownvalue.StringExact(flavor),
			}))
		}
		releases = append(releases, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"version":    knownvalue.StringExact(version),
			"prerelease": knownvalue.Bool(strings.ContainsAny(version, "abcdefghijklmnopqrstuvwxyz")),
			"images":     knownvalue.ListExact(images),
		}))
	}
	var latest knownvalue.Check = knownvalue.Null()
	if len(want) > 0 {
		v, _, _ := strings.Cut(want[0], ": ")
		latest = knownvalue.StringExact(v)
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(address, tfjsonpath.New("versions"), knownvalue.ListExact(versions)),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("latest"), latest),
		statecheck.ExpectKnownValue(address, tfjsonpath.New("releases"), knownvalue.ListExact(releases)),
	}
}

func TestAccReleasesDataSource_filters(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	if err := reg.Seed("prefecthq/prefect-client", []string{"3.2.15-python3.12", "3.2.15-python3.9", "3-latest"}); err != nil {
		t.Fatal(err)
	}
	repo := reg.Host() + "/" + prefectRepo
	client := reg.Host() + "/prefecthq/prefect-client"
	const all320 = "3.2.0: 3.2.0-python3.9 3.2.0-python3.9-conda 3.2.0-python3.10 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes 3.2.0-python3.13"
	cases := []struct {
		name, body string
		want       []string
	}{
		{"all", ``, []string{"3.10.0: 3.10.0-python3.11", all320, "3.1.9: 3.1.9-python3.9-conda 3.1.9-python3.12", "2.20.25: 2.20.25-python3.8 2.20.25-python3.12-kubernetes"}},
		{"terraform", `prefect_version = "~> 3.2"`, []string{"3.10.0: 3.10.0-python3.11", all320}},
		{"terraform_patch", `prefect_version = "~> 3.1.0"`, []string{"3.1.9: 3.1.9-python3.9-conda 3.1.9-python3.12"}},
		{"pep440", `prefect_version = "==3.2.*"`, []string{all320}},
		{"pep440_range", `prefect_version = ">=2.20,<3.2,!=3.1.9"`, []string{"2.20.25: 2.20.25-python3.8 2.20.25-python3.12-kubernetes"}},
		{"python", `python_version = "3.12"`, []string{
			"3.2.0: 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes", "3.1.9: 3.1.9-python3.12", "2.20.25: 2.20.25-python3.12-kubernetes"}},
		{"python_constraint", `python_version = ">= 3.10, < 3.13"`, []string{
			"3.10.0: 3.10.0-python3.11", "3.2.0: 3.2.0-python3.10 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes",
			"3.1.9: 3.1.9-python3.12", "2.20.25: 2.20.25-python3.12-kubernetes"}},
		{"flavor", `flavor = "conda"`, []string{"3.2.0: 3.2.0-python3.9-conda 3.2.0-python3.12-conda", "3.1.9: 3.1.9-python3.9-conda"}},
		{"flavor_standard", `flavor = "standard"
  prefect_version = "~> 3.1"`, []string{"3.10.0: 3.10.0-python3.11", "3.2.0: 3.2.0-python3.9 3.2.0-python3.10 3.2.0-python3.12 3.2.0-python3.13", "3.1.9: 3.1.9-python3.12"}},
		{"prereleases", `allow_prereleases = true
  prefect_version = "~> 3.2"`, []string{
			"3.10.0: 3.10.0-python3.11", "3.3.0rc10: 3.3.0rc10-python3.11-conda 3.3.0rc10-python3.12", "3.3.0rc9: 3.3.0rc9-python3.12",
			"3.2.1.dev2: 3.2.1.dev2-python3.12", all320}},
		{"exact_prerelease", `prefect_version = "3.3.0rc10"`, []string{"3.3.0rc10: 3.3.0rc10-python3.11-conda 3.3.0rc10-python3.12"}},
		{"all_filters", `prefect_version = "~> 3.0"
  python_version = "3.9"
  flavor = "conda"`, []string{"3.2.0: 3.2.0-python3.9-conda", "3.1.9: 3.1.9-python3.9-conda"}},
		{"nothing", `prefect_version = "~> 3.1.0"
  python_version = "3.13"`, nil},
		{"repository", fmt.Sprintf("repository = %q", client), []string{"3.2.15: 3.2.15-python3.9 3.2.15-python3.12"}},
	}
	var config strings.Builder
	config.WriteString(providerConfig(reg))
	var checks []statecheck.StateCheck
	for _, tc := range cases {
		address := "data.prefectimage_releases." + tc.name
		fmt.Fprintf(&config, "data \"prefectimage_releases\" %q {\n  %s\n}\n", tc.name, tc.body)
		checks = append(checks, expectReleases(address, tc.want...)...)
	}
	checks = append(checks,
		statecheck.ExpectKnownValue("data.prefectimage_releases.all", tfjsonpath.New("repository"), knownvalue.StringExact(repo)),
		statecheck.ExpectKnownValue("data.prefectimage_releases.all", tfjsonpath.New("allow_prereleases"), knownvalue.Bool(false)),
		statecheck.ExpectKnownValue("data.prefectimage_releases.all", tfjsonpath.New("flavor"), knownvalue.Null()),
		statecheck.ExpectKnownValue("data.prefectimage_releases.repository", tfjsonpath.New("repository"), knownvalue.StringExact(client)),
	)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config.String(),
			ConfigStateChecks: checks,
		}},
	})
}

// On Prefect's catalog, 3.1.9 lists every image the catalog has for it (no
// Python 3.13: PrefectHQ/prefect#17299), by Python as numbers, then flavor.
func TestAccReleasesDataSource_catalog(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	var tags []string
	for _, line := range tagcatalog.Prefect() {
		if strings.HasPrefix(line, "3.1.9-python") {
			tags = append(tags, line)
		}
	}
	rank := map[string]int{"": 0, "conda": 1, "kubernetes": 2}
	key := func(tag string) [2]int {
		_, rest, _ := strings.Cut(tag, "-python3.")
		minor, flavor, _ := strings.Cut(rest, "-")
		n, err := strconv.Atoi(minor)
		if err != nil {
			t.Fatal(tag)
		}
		return [2]int{n, rank[flavor]}
	}
	slices.SortFunc(tags, func(a, b string) int { ka, kb := key(a), key(b); return slices.Compare(ka[:], kb[:]) })
	if len(tags) != 12 || slices.ContainsFunc(tags, func(s string) bool { return strings.Contains(s, "python3.13") }) {
		t.Fatalf("the catalog's 3.1.9 tags are %v; the test expects 12 and no Python 3.13", tags)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `data "prefectimage_releases" "test" { prefect_version = "3.1.9" }`,
			ConfigStateChecks: expectReleases("data.prefectimage_releases.test",
				"3.1.9: "+strings.Join(tags, " ")),
		}},
	})
}

// Release candidates come out in PEP 440 order, not the registry's lexical
// one (3.3.0rc10 < 3.3.0rc11 < 3.3.0rc9 there), and a release pushed
// upstream shows at the next plan.
func TestAccReleasesDataSource_prereleaseOrder(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	config := providerConfig(reg) + `
data "prefectimage_releases" "rc" {
  prefect_version   = ">= 3.3.0rc1, < 3.4"
  allow_prereleases = true
}
data "prefectimage_releases" "stable" {
  prefect_version = ">= 3.3.0rc1, < 3.4"
}
`
	push := func(tag string) func() {
		return func() {
			if _, err := reg.Push(prefectRepo, tag); err != nil {
				t.Fatal(err)
			}
		}
	}
	rc10 := "3.3.0rc10: 3.3.0rc10-python3.11-conda 3.3.0rc10-python3.12"
	rc9 := "3.3.0rc9: 3.3.0rc9-python3.12"
	rc11 := "3.3.0rc11: 3.3.0rc11-python3.12"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: append(expectReleases("data.prefectimage_releases.rc", rc10, rc9),
				expectReleases("data.prefectimage_releases.stable")...),
		}, {
			PreConfig: push("3.3.0rc11-python3.12"),
			Config:    config,
			ConfigStateChecks: append(expectReleases("data.prefectimage_releases.rc", rc11, rc10, rc9),
				expectReleases("data.prefectimage_releases.stable")...),
		}, {
			PreConfig: push("3.3.0-python3.12"),
			Config:    config,
			ConfigStateChecks: append(expectReleases("data.prefectimage_releases.rc", "3.3.0: 3.3.0-python3.12", rc11, rc10, rc9),
				expectReleases("data.prefectimage_releases.stable", "3.3.0: 3.3.0-python3.12")...),
		}},
	})
}

// expectCheckBlock checks the result of a check block in a plan: its status
// ("pass", "fail") and, when it fails, its message.
type expectCheckBlock struct {
	name, status, message string
}

func (e expectCheckBlock) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, c := range req.Plan.Checks {
		if string(c.Address.Kind) != "check" || c.Address.Name != e.name {
			continue
		}
		if string(c.Status) != e.status {
			resp.Error = fmt.Errorf("check %s: status %s, want %s", e.name, c.Status, e.status)
			return
		}
		var messages []string
		for _, in := range c.Instances {
			for _, p := range in.Problems {
				messages = append(messages, p.Message)
			}
		}
		if e.message != "" && !slices.Contains(messages, e.message) {
			resp.Error = fmt.Errorf("check %s: messages %q, want %q", e.name, messages, e.message)
		}
		return
	}
	resp.Error = fmt.Errorf("no check %s in the plan", e.name)
}

// The check block of the docs warns that newer releases than the pin are
// out, and the plan goes on; once the pin is the newest it passes.
func TestAccReleasesDataSource_checkBlock(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	config := func(constraint string) string {
		return providerConfig(reg) + fmt.Sprintf(`
resource "prefectimage_pin" "flows" {
  prefect_version = %q
}

check "prefect_is_current" {
  data "prefectimage_releases" "newer" {
    prefect_version = "> ${prefectimage_pin.flows.resolved_prefect_version}"
  }
  assert {
    condition     = length(data.prefectimage_releases.newer.versions) == 0
    error_message = "Newer Prefect releases: ${join(", ", data.prefectimage_releases.newer.versions)}"
  }
}
`, constraint)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config("~> 3.1.0"),
			// Terraform plans a check block's own data source to be read
			// again at apply, pass or fail ("config will be reloaded to
			// verify a check block"): that read is the plan's only change.
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				expectCheckBlock{"prefect_is_current", "fail", "Newer Prefect releases: 3.10.0, 3.2.0"},
				plancheck.ExpectResourceAction("prefectimage_pin.flows", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("data.prefectimage_releases.newer", plancheck.ResourceActionRead),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("prefectimage_pin.flows", tfjsonpath.New("resolved_prefect_version"), knownvalue.StringExact("3.1.9")),
			},
		}, {
			Config:             config("~> 3.1"),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				expectCheckBlock{"prefect_is_current", "pass", ""},
				plancheck.ExpectResourceAction("prefectimage_pin.flows", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("data.prefectimage_releases.newer", plancheck.ResourceActionRead),
			}},
		}},
	})
}

// listPages counts the tag list requests of a request log, by request line.
func listPages(requests []string) map[string]int {
	pages := map[string]int{}
	for _, line := range requests {
		if strings.Contains(line, "/tags/list") {
			pages[line]++
		}
	}
	return pages
}

// The data source reads tag lists only, never a HEAD or a GET, and shares
// the listing with the pins of the same plan: pins and releases of one
// constraint read the same pages as the pins alone, each at most once per
// configured provider. The pins HEAD their tag once per configured provider
// that resolves them, which is every one that lists.
func TestAccReleasesDataSource_requests(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, nil)
	const pins = `
data "prefectimage_pin" "a" {
  prefect_version = "~> 3.7"
  python_version  = "3.12"
}
resource "prefectimage_pin" "b" {
  prefect_version = "~> 3.7"
  python_version  = "3.11"
  flavor          = "conda"
}
`
	const releases = `
data "prefectimage_releases" "same" {
  prefect_version = "~> 3.7"
}
data "prefectimage_releases" "conda" {
  prefect_version = "~> 3.7"
  python_version  = ">= 3.11"
  flavor          = "conda"
}
`
	var pinPages map[string]int
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: reg.ResetCounts,
			Config: providerConfig(reg) + releases + `
data "prefectimage_releases" "every" {}
data "prefectimage_releases" "nightlies" {
  allow_prereleases = true
  python_version    = "3.14"
}`,
			Check: func(*terraform.State) error {
				c := reg.Counts()
				if c.Head != 0 || c.Get != 0 || c.ListPage == 0 {
					return fmt.Errorf("releases alone made %+v, want tag lists only: %v", c, reg.Requests())
				}
				return nil
			},
		}, {
			PreConfig: reg.ResetCounts,
			Config:    providerConfig(reg) + pins,
			Check: func(*terraform.State) error {
				pinPages = listPages(reg.Requests())
				return nil
			},
		}, {
			PreConfig: reg.ResetCounts,
			Config:    providerConfig(reg) + pins + releases,
			Check: func(*terraform.State) error {
				c := reg.Counts()
				if c.Get != 0 {
					return fmt.Errorf("%d manifest GETs, want none", c.Get)
				}
				providers := 0 // configured providers that resolved the data source pin
				for _, line := range reg.Requests() {
					if strings.HasPrefix(line, "HEAD ") && strings.HasSuffix(line, "/manifests/3.8.3-python3.12") {
						providers++
					}
				}
				pages := listPages(reg.Requests())
				if providers == 0 || len(pages) == 0 {
					return fmt.Errorf("%d pin resolutions and %d list pages: the test saw nothing", providers, len(pages))
				}
				for page, n := range pages {
					if n > providers {
						return fmt.Errorf("page %s read %d times by %d configured providers: want at most once each", page, n, providers)
					}
					if _, ok := pinPages[page]; !ok {
						return fmt.Errorf("page %s was read for the releases alone: want the pins' pages shared", page)
					}
				}
				return nil
			},
		}},
	})
}

// Bad input fails at validate time, on the attribute, before any registry
// is contacted.
func TestAccReleasesDataSource_invalidInput(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	cases := []invalidCase{
		{"malformed constraint", `prefect_version = "~> banana"`, `Invalid Prefect Version Constraint`},
		{"blank constraint", `prefect_version = " "`, `(?s)Invalid Prefect Version Constraint.*leave it out for every version`},
		{"mixed syntax", `prefect_version = "~> 3.1, ==3.1.*"`, `Terraform syntax and\s+"==3\.1\.\*"\s+is\s+PEP\s+440\s+syntax`},
		{"huge constraint", `prefect_version = "> 3.99999999999999999999"`, `(?s)Invalid Prefect Version Constraint.*too\s+large`},
		{"negative constraint", `prefect_version = "-1"`, `(?s)Invalid Prefect Version Constraint.*not\s+a\s+number`},
		{"malformed python", `python_version = "3.12.1"`, `Invalid Python Version`},
		{"huge python", `python_version = ">= 3.99999999999999999999"`, `(?s)Invalid Python Version.*too\s+large`},
		{"negative python", `python_version = "-3.12"`, `(?s)Invalid Python Version.*not\s+a\s+number`},
		{"blank python", `python_version = ""`, `(?s)Invalid Python Version.*leave it out for every Python`},
		{"unknown flavor", `flavor = "slim"`, `(?s)Invalid Flavor.*"standard",\s+"conda"\s+or\s+"kubernetes"`},
		{"blank flavor", `flavor = ""`, `(?s)Invalid Flavor.*leave it out\s+\(or\s+null\)\s+for\s+every\s+flavor`},
		{"repository with tag", `repository = "prefecthq/prefect:3-latest"`, `Invalid Repository`},
		{"no tag attribute", `tag = "3-latest"`, `Unsupported argument`},
	}
	expectInvalid(t, reg, func(body string) string {
		return providerConfig(reg) + fmt.Sprintf("data \"prefectimage_releases\" \"test\" {\n  %s\n}\n", body)
	}, cases)
}

// Registry failures are errors as for the pin data source: a title naming
// what failed, the registry, and what to change in Terraform.
func TestAccReleasesDataSource_registryErrors(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags, registrytest.WithBasicAuth("ci-bot", "s3cr3t-pa55word"))
	auth := fmt.Sprintf("registry_auth {\n address = %q\n username = \"ci-bot\"\n password = \"s3cr3t-pa55word\"\n}", reg.Host())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerConfig(reg) + `data "prefectimage_releases" "test" {}`,
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*` + regexp.QuoteMeta(reg.Host()) + `.*registry_auth`),
		}, {
			Config:      providerConfig(reg, auth) + fmt.Sprintf(`data "prefectimage_releases" "test" { repository = "%s/acme/absent" }`, reg.Host()),
			ExpectError: regexp.MustCompile(`(?s)Repository Not Found.*acme/absent.*does\s+not\s+exist`),
		}, {
			Config: providerConfig(reg, auth) +
				`data "prefectimage_releases" "test" { prefect_version = "~> 3.1.0" }`,
			ConfigStateChecks: expectReleases("data.prefectimage_releases.test", "3.1.9: 3.1.9-python3.9-conda 3.1.9-python3.12"),
		}},
	})
}

// A provider repository known only at apply is never replaced by the
// built-in default.
func TestAccReleasesDataSource_unknownProviderRepository(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	repo := reg.Host() + "/" + prefectRepo
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerConfigKnownAtApply(repo) + `data "prefectimage_releases" "test" {}`,
			ExpectError: wrapped(`The provider's repository depends on a value that is known only after apply`),
		}},
	})
}

// python_version = 3.10 written without quotes is the number 3.1 to
// Terraform, and lists nothing: a check block built on it would pass
// forever. Prefect never built an image for Python 3.1, so the data source
// warns at validate time, on the attribute, and still lists (nothing).
func TestAccReleasesDataSource_pythonWrittenAsNumber(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `
data "prefectimage_releases" "test" {
  python_version = 3.10
}`,
			ConfigStateChecks: append(expectReleases("data.prefectimage_releases.test"),
				statecheck.ExpectKnownValue("data.prefectimage_releases.test", tfjsonpath.New("python_version"), knownvalue.StringExact("3.1"))),
			Check: rec.expectWarning(`(?s)Python 3\.1.*"3\.10".*quotes`),
		}, {
			// Quoted, 3.10 is Python 3.10, with no warning.
			PreConfig: rec.reset,
			Config: providerConfig(reg) + `
data "prefectimage_releases" "test" {
  python_version = "3.10"
}`,
			ConfigStateChecks: expectReleases("data.prefectimage_releases.test", "3.2.0: 3.2.0-python3.10"),
			Check: func(*terraform.State) error {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if len(rec.diags) != 0 {
					return fmt.Errorf("diagnostics %q, want none", rec.diags)
				}
				return nil
			},
		}},
	})
}

// prefect_version "3.2" means exactly 3.2.0 here too, and lists 3.2.0
// alone, not every 3.2.z; prefect_version = 3.20 without quotes is "3.2" as
// well. Both warn on the attribute, as for a pin, and still list; "~> 3.2.0"
// lists every 3.2.z, with no warning.
func TestAccReleasesDataSource_shortPrefectVersionWarns(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, append(slices.Clone(releasesTags), "3.2.5-python3.12"))
	const warning = `(?s)warning: Prefect Version Names One Exact Release: prefect_version "3\.2" means exactly 3\.2\.0.*only 3\.2\.0 is listed.*"~> 3\.2\.0"`
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            providerConfig(reg) + `data "prefectimage_releases" "test" { prefect_version = "3.2" }`,
			ConfigStateChecks: expectReleases("data.prefectimage_releases.test", "3.2.0: 3.2.0-python3.9 3.2.0-python3.9-conda 3.2.0-python3.10 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes 3.2.0-python3.13"),
			Check:             rec.expectWarning(warning),
		}, {
			PreConfig: rec.reset,
			Config: providerConfig(reg) + `data "prefectimage_releases" "test" {
  prefect_version = 3.20
  python_version  = "3.12"
}`,
			ConfigStateChecks: expectReleases("data.prefectimage_releases.test", "3.2.0: 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes"),
			Check:             rec.expectWarning(warning + `.*prefect_version = 3\.20 without quotes.*number 3\.2`),
		}, {
			PreConfig: rec.reset,
			Config: providerConfig(reg) + `data "prefectimage_releases" "test" {
  prefect_version = "~> 3.2.0"
  python_version  = "3.12"
}`,
			ConfigStateChecks: expectReleases("data.prefectimage_releases.test", "3.2.5: 3.2.5-python3.12", "3.2.0: 3.2.0-python3.12 3.2.0-python3.12-conda 3.2.0-python3.12-kubernetes"),
			Check: func(*terraform.State) error {
				if rec.expectWarning(`Prefect Version Names One Exact Release`)(nil) == nil {
					return fmt.Errorf("prefect_version %q drew the warning of a short version", "~> 3.2.0")
				}
				return nil
			},
		}},
	})
}
