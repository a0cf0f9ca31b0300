package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// pinValues checks a data source's or resource's pin against what the
// registry holds for tag when the check runs, spelling the repository as repo.
func pinValues(t *testing.T, reg *registrytest.Registry, address, repo, tag string) []statecheck.StateCheck {
	digest := digestOf(t, reg, tag)
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(address, tfjsonpath.New("tag"), knownvalue.StringExact(tag)),
		expectStateString{address, "digest", digest},
		expectStateString{address, "ref", func() string { return repo + "@" + digest() }},
		expectStateString{address, "tagged_ref", func() string { return repo + ":" + tag + "@" + digest() }},
	}
}

// wrapped turns a message into a pattern that matches it however Terraform
// wrapped its lines.
func wrapped(message string) *regexp.Regexp {
	words := strings.Fields(message)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

func TestAccPinDataSource_selectors(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	repo := reg.Host() + "/" + prefectRepo

	cases := []struct {
		name    string
		body    string
		tag     string
		prefect string
		python  string
		flavor  string
	}{
		{"default is newest stable on the highest Python", ``, "3.8.3-python3.14", "3.8.3", "3.14", "standard"},
		{"terraform pessimistic minor with python and conda", `prefect_version = "~> 3.4"
  python_version = "3.12"
  flavor = "conda"`, "3.8.3-python3.12-conda", "3.8.3", "3.12", "conda"},
		{"terraform pessimistic patch", `prefect_version = "~> 3.7.0"
  python_version = "3.11"
  flavor = "conda"`, "3.7.8-python3.11-conda", "3.7.8", "3.11", "conda"},
		{"exact version", `prefect_version = "3.1.15"
  python_version = "3.12"`, "3.1.15-python3.12", "3.1.15", "3.12", "standard"},
		{"exact version, default python is the highest for that release", `prefect_version = "= 3.1.15"
  flavor = "kubernetes"`, "3.1.15-python3.12-kubernetes", "3.1.15", "3.12", "kubernetes"},
		{"pep 440 wildcard", `prefect_version = "==2.20.*"
  python_version = "3.11"`, "2.20.25-python3.11", "2.20.25", "3.11", "standard"},
		{"pep 440 range and python constraint", `prefect_version = ">=3.1,<3.2"
  python_version = "< 3.11"`, "3.1.15-python3.10", "3.1.15", "3.10", "standard"},
		{"prereleases allowed", `allow_prereleases = true`, "3.8.4.dev6-python3.14", "3.8.4.dev6", "3.14", "standard"},
		{"exact prerelease without allow_prereleases", `prefect_version = "3.0.0rc14"
  python_version = "3.11"
  flavor = "conda"`, "3.0.0rc14-python3.11-conda", "3.0.0rc14", "3.11", "conda"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			address := "data.prefectimage_pin.test"
			checks := append(pinValues(t, reg, address, repo, tc.tag),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("resolved_prefect_version"), knownvalue.StringExact(tc.prefect)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("resolved_python_version"), knownvalue.StringExact(tc.python)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("flavor"), knownvalue.StringExact(tc.flavor)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("repository"), knownvalue.StringExact(repo)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digest"), knownvalue.Null()),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digests"), knownvalue.Null()),
			)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:            providerConfig(reg) + fmt.Sprintf("data \"prefectimage_pin\" \"test\" {\n  %s\n}\n", tc.body),
					ConfigStateChecks: checks,
				}},
			})
		})
	}
}

func TestAccPinDataSource_tag(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	repo := reg.Host() + "/" + prefectRepo
	address := "data.prefectimage_pin.test"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" { tag = "3-latest-conda" }`,
			ConfigStateChecks: append(pinValues(t, reg, address, repo, "3-latest-conda"),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("resolved_prefect_version"), knownvalue.Null()),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("resolved_python_version"), knownvalue.Null()),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("flavor"), knownvalue.StringExact("conda")),
			),
		}, {
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" { tag = "3.1-python3.12" }`,
			ConfigStateChecks: append(pinValues(t, reg, address, repo, "3.1-python3.12"),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("resolved_prefect_version"), knownvalue.Null()),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("resolved_python_version"), knownvalue.StringExact("3.12")),
			),
		}},
	})
}

// The repository is spelled in ref as the user wrote it, and a repository on
// the data source overrides the provider's.
func TestAccPinDataSource_repositorySpelling(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	repo := "localhost:" + strings.Split(reg.Host(), ":")[1] + "/" + prefectRepo
	address := "data.prefectimage_pin.test"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + fmt.Sprintf(`data "prefectimage_pin" "test" {
  repository      = %q
  prefect_version = "3.7.8"
  python_version  = "3.12"
}`, repo),
			ConfigStateChecks: pinValues(t, reg, address, repo, "3.7.8-python3.12"),
		}},
	})
}

func TestAccPinDataSource_platform(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	repo := reg.Host() + "/" + prefectRepo
	tag := "3.7.8-python3.12"
	platforms, err := reg.PlatformDigests(prefectRepo, tag)
	if err != nil {
		t.Fatal(err)
	}
	arm := platforms["linux/arm64"]
	if arm == "" || len(platforms) != 2 {
		t.Fatalf("test registry platforms = %v, want linux/amd64 and linux/arm64", platforms)
	}
	address := "data.prefectimage_pin.test"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  prefect_version = "3.7.8"
  python_version  = "3.12"
  platform        = "linux/arm64"
}`,
			ConfigStateChecks: append(pinValues(t, reg, address, repo, tag),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digest"), knownvalue.StringExact(arm)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_ref"), knownvalue.StringExact(repo+"@"+arm)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digests"), knownvalue.MapExact(map[string]knownvalue.Check{
					"linux/amd64": knownvalue.StringExact(platforms["linux/amd64"]),
					"linux/arm64": knownvalue.StringExact(arm),
				})),
			),
		}, {
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  tag      = "3.7.8-python3.12"
  platform = "linux/s390x"
}`,
			ExpectError: wrapped(`has no image for platform "linux/s390x"; it has linux/amd64, linux/arm64.`),
		}},
	})
}

// A single-platform image (no index) resolves its own platform.
func TestAccPinDataSource_singleManifest(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"2.7.9-python3.10"})
	digest, err := reg.PushSingle(prefectRepo, "2.7.9-python3.10", "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	repo := reg.Host() + "/" + prefectRepo
	address := "data.prefectimage_pin.test"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  prefect_version = "2.7.9"
  python_version  = "3.10"
  platform        = "linux/amd64"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("digest"), knownvalue.StringExact(digest)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_digest"), knownvalue.StringExact(digest)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("platform_ref"), knownvalue.StringExact(repo+"@"+digest)),
			},
		}},
	})
}

// An exact version with Python needs no listing, and no manifest GET
// happens without platform.
func TestAccPinDataSource_requests(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, nil)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: reg.ResetCounts,
			Config: providerConfig(reg) + `
data "prefectimage_pin" "exact" {
  prefect_version = "3.1.15"
  python_version  = "3.12"
}
data "prefectimage_pin" "tag" {
  tag = "3-latest"
}`,
			Check: func(*terraform.State) error {
				c := reg.Counts()
				if c.ListPage != 0 || c.Get != 0 {
					return fmt.Errorf("an exact selector and a tag made %d list requests and %d manifest GETs, want none: %v", c.ListPage, c.Get, reg.Requests())
				}
				return nil
			},
		}, {
			PreConfig: reg.ResetCounts,
			Config: providerConfig(reg) + `
data "prefectimage_pin" "a" {
  prefect_version = "~> 3.4"
  python_version  = "3.12"
}
data "prefectimage_pin" "b" {
  prefect_version = "~> 3.4"
  python_version  = "3.11"
  flavor          = "conda"
}
data "prefectimage_pin" "c" {
  prefect_version = "~> 2.20"
}`,
			Check: func(*terraform.State) error {
				c := reg.Counts()
				if c.Get != 0 {
					return fmt.Errorf("%d manifest GETs without platform, want 0", c.Get)
				}
				// The tags the selectors can pick (3.4 and later 3.x, 2.20
				// and later 2.x) are listed once per Terraform run, however
				// many pins share them: every page is read as many times as
				// any other (this step runs plan and apply and refreshes).
				pages := map[string]int{}
				for _, line := range reg.Requests() {
					if strings.Contains(line, "/tags/list") {
						pages[line]++
					}
				}
				runs := 0
				for page, n := range pages {
					if runs == 0 {
						runs = n
					}
					if n != runs {
						return fmt.Errorf("page %s read %d times, others %d: want every page once per Terraform run", page, n, runs)
					}
				}
				// Two distinct constraints read at most two whole lists'
				// worth of pages (14 each at 1000 tags a page).
				if len(pages) == 0 || len(pages) > 28 {
					return fmt.Errorf("%d distinct list pages per Terraform run, want 1 to 28", len(pages))
				}
				return nil
			},
		}},
	})
}

func TestAccPinDataSource_invalidInput(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	cases := []invalidCase{
		{"malformed constraint", `prefect_version = "~> banana"`, `Invalid Prefect Version Constraint`},
		{"v prefix", `prefect_version = "v3.1.15"`, `prefect_version "v3.1.15"`},
		{"commas for dots", `prefect_version = "3,1,15"`, `(?s)Invalid Prefect Version Constraint.*write\s+the\s+version\s+with\s+dots,\s+"3\.1\.15"`},
		{"no version meets", `prefect_version = "3.1.15, >= 3.2"`, `(?s)Invalid Prefect Version Constraint.*"3\.1\.15"\s+and\s+">= 3\.2"\s+cannot\s+both\s+hold`},
		{"python commas for dots", `python_version = "3,12"`, `(?s)Invalid Python Version.*write\s+the\s+version\s+with\s+dots,\s+"3\.12"`},
		{"malformed python", `python_version = "3.12.1"`, `Invalid Python Version`},
		{"python without minor", `python_version = "python3"`, `Invalid Python Version`},
		{"unknown flavor", `flavor = "slim"`, `(?s)Invalid Flavor.*"standard",\s+"conda"\s+or\s+"kubernetes"`},
		{"malformed platform", `platform = "amd64"`, `Invalid Platform`},
		{"repository with tag", `repository = "prefecthq/prefect:3-latest"`, `Invalid Repository`},
		{"repository in upper case", `repository = "PrefectHQ/Prefect"`, `Invalid Repository`},
		{"tag with prefect_version", `tag = "3-latest"
  prefect_version = "~> 3.1"`, `(?s)Invalid Attribute Combination.*tag`},
		{"tag with flavor", `tag = "3-latest"
  flavor = "conda"`, `Invalid Attribute Combination`},
		{"tag with allow_prereleases", `tag = "3-latest"
  allow_prereleases = true`, `Invalid Attribute Combination`},
		{"malformed tag", `tag = "prefecthq/prefect:3-latest"`, `Invalid Tag`},
		{"malformed required platform", `required_platforms = ["linux/amd64", "linux"]`, `(?s)Invalid Platform.*required_platforms\[1\]`},
		{"duplicate required platform", `required_platforms = ["linux/arm64", "linux/arm64"]`, `(?s)Duplicate Platform.*"linux/arm64"\s+twice`},
	}
	expectInvalid(t, reg, func(body string) string {
		return providerConfig(reg) + fmt.Sprintf("data \"prefectimage_pin\" \"test\" {\n  %s\n}\n", body)
	}, cases)
}

func TestAccPinDataSource_noMatch(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// 3.1.x was never built for Python 3.13 (PrefectHQ/prefect#17299).
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  prefect_version = "~> 3.1.0"
  python_version  = "3.13"
}`,
			ExpectError: wrapped(`no tag matches prefect_version "~> 3.1.0", python_version "3.13", flavor "standard". Newest stable versions on Python 3.13, standard: 3.8.3, 3.8.2, 3.8.1, 3.8.0, 3.7.8. Newest version meeting "~> 3.1.0" is 3.1.15, published for Python 3.9, 3.10, 3.11, 3.12 in flavors standard, conda, kubernetes.`),
		}, {
			// An exact tag that does not exist lists, to say what does.
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  prefect_version = "3.1.16"
  python_version  = "3.12"
}`,
			ExpectError: regexp.MustCompile(`(?s)No Prefect Image Matches the Selector.*3\.1\.16`),
		}, {
			// On the tag attribute: Terraform quotes its line, not the block's.
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  tag = "9-latest"
}`,
			ExpectError: regexp.MustCompile(`(?s)Image Tag Not Found.*\d+:\s+tag\s+=\s+"9-latest"`),
		}, {
			// tag takes any image tag; a near miss of Prefect's scheme is
			// named with the tag meant.
			Config: providerConfig(reg) + `data "prefectimage_pin" "test" {
  tag = "3.1.15-python-3.12-conda"
}`,
			ExpectError: regexp.MustCompile(`(?s)Image Tag Not Found.*tag\s+=\s+"3.1.15-python-3.12-conda".*` + wrapped(`did you mean 3.1.15-python3.12-conda?`).String()),
		}},
	})
}

func TestAccPinDataSource_credentials(t *testing.T) {
	const user, password = "ci-bot", "s3cr3t-pa55word"
	tag := "3.1.15-python3.12"
	for _, auth := range []struct {
		name string
		opt  registrytest.Option
	}{
		{"bearer", registrytest.WithBearerAuth(user, password)},
		{"basic", registrytest.WithBasicAuth(user, password)},
	} {
		t.Run(auth.name, func(t *testing.T) {
			dockerConfig := isolateHome(t)
			reg := newSeededRegistry(t, []string{tag}, auth.opt)
			repo := reg.Host() + "/" + prefectRepo
			address := "data.prefectimage_pin.test"
			body := `data "prefectimage_pin" "test" { tag = "3.1.15-python3.12" }`
			block := func(pw string) string {
				return fmt.Sprintf("registry_auth {\n address = %q\n username = %q\n password = %q\n}", reg.Host(), user, pw)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      providerConfig(reg) + body,
					ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*` + regexp.QuoteMeta(reg.Host()) + `.*registry_auth`),
				}, {
					Config:            providerConfig(reg, block(password)) + body,
					ConfigStateChecks: pinValues(t, reg, address, repo, tag),
				}, {
					Config:      providerConfig(reg, block("wrong")) + body,
					ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*` + regexp.QuoteMeta(reg.Host())),
				}, {
					PreConfig:         func() { writeDockerConfig(t, dockerConfig, reg.Host(), user, password) },
					Config:            providerConfig(reg) + body,
					ConfigStateChecks: pinValues(t, reg, address, repo, tag),
				}, {
					// A registry_auth block wins over the Docker config.
					Config:      providerConfig(reg, block("wrong")) + body,
					ExpectError: regexp.MustCompile(`Registry Refused the Credentials`),
				}},
			})
		})
	}
}

// A provider repository known only at apply is never replaced by the
// built-in default: the data source says so instead of reading Docker Hub.
func TestAccPinDataSource_unknownProviderRepository(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerConfigKnownAtApply(repo) + `data "prefectimage_pin" "test" { python_version = "3.12" }`,
			ExpectError: wrapped(`The provider's repository depends on a value that is known only after apply`),
		}},
	})
}

// python_version = 3.10 written without quotes is the number 3.1 to
// Terraform: the pin matches nothing, and the warning on the attribute says
// why and what to write.
func TestAccPinDataSource_pythonWrittenAsNumber(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `
data "prefectimage_pin" "test" {
  python_version = 3.10
}`,
			ExpectError: regexp.MustCompile(`No Prefect Image Matches`),
		}},
	})
	if err := rec.expectWarning(`(?s)Python 3\.1 Has No Prefect Image.*"3\.10".*quotes`)(nil); err != nil {
		t.Error(err)
	}
}

// prefect_version = "3.4" means exactly 3.4.0, as SPEC says, though Prefect's
// moving tag 3.4-python3.12 follows the newest 3.4.z: the pin keeps that
// meaning, and the data source and the resource warn on the attribute with
// what to write instead. "~> 3.4.0" draws no such warning.
func TestAccPin_shortPrefectVersionWarns(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.4.0-python3.12", "3.4.2-python3.12", "3.4-python3.12", "3.4.0-python3.11-conda", "3.4-python3.11-conda"})
	repo := reg.Host() + "/" + prefectRepo
	const warning = `(?s)warning: Prefect Version Names One Exact Release: prefect_version "%s" means exactly 3\.4\.0.*"~> 3\.4\.0".*tag = "3\.4-python3\.12" \(with your Python and flavor\)`
	rec := &diagRecorder{}
	noShortWarning := func(*terraform.State) error {
		if rec.expectWarning(`Prefect Version Names One Exact Release`)(nil) == nil {
			return fmt.Errorf("prefect_version %q drew the warning of a short version", "~> 3.4.0")
		}
		return nil
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            providerConfig(reg) + `data "prefectimage_pin" "test" { prefect_version = "3.4" }`,
			ConfigStateChecks: pinValues(t, reg, "data.prefectimage_pin.test", repo, "3.4.0-python3.12"),
			Check:             rec.expectWarning(fmt.Sprintf(warning, `3\.4`)),
		}, {
			PreConfig:         rec.reset,
			Config:            pinConfig(reg, `  prefect_version = "==3.4"`),
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.0-python3.12"),
			Check:             rec.expectWarning(fmt.Sprintf(warning, `==3\.4`)),
		}, {
			// The moving tag suggested is the pin's own Python and flavor's:
			// 3.4-python3.12 would move it to another Python.
			PreConfig:         rec.reset,
			Config:            pinConfig(reg, `  prefect_version = "3.4"`+"\n"+`  python_version = "3.11"`+"\n"+`  flavor = "conda"`),
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.0-python3.11-conda"),
			Check:             rec.expectWarning(`(?s)Prefect Version Names One Exact Release.*tag = "3\.4-python3\.11-conda" in place of prefect_version`),
		}, {
			PreConfig:         rec.reset,
			Config:            pinConfig(reg, `  prefect_version = "~> 3.4.0"`),
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
			Check:             noShortWarning,
		}},
	})
}

// prefect_version = 2.20 written without quotes is the string "2.2" to the
// provider. No 2.2.0 image for Python 3.12: the "nothing matches" error
// keeps its text and adds that the number lost its trailing zero.
func TestAccPinDataSource_prefectVersionWrittenAsNumber(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"2.2.0-python3.10", "2.20.18-python3.12", "2.19.0-python3.12"})
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `
data "prefectimage_pin" "test" {
  prefect_version = 2.20
  python_version  = "3.12"
}`,
			ExpectError: wrapped(`no tag matches prefect_version "2.2", python_version "3.12", flavor "standard". ` +
				`Newest stable versions on Python 3.12, standard: 2.20.18, 2.19.0. ` +
				`Newest version meeting "2.2" is 2.2.0, published for Python 3.10 in flavor standard. ` +
				`If prefect_version = 2.20 was written without quotes, Terraform read it as the number 2.2 and dropped the trailing zero: ` +
				`quote it, such as "~> 2.20.0" for the newest 2.20.z.`),
		}},
	})
	if err := rec.expectWarning(`(?s)Prefect Version Names One Exact Release.*"2\.2" means exactly 2\.2\.0.*prefect_version = 2\.20 without quotes`)(nil); err != nil {
		t.Error(err)
	}
}
