package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A registry_auth password from a resource not created yet (a secret
// made in the same apply, or rotated: replaced) on a registry that refuses
// anonymous access. The plan cannot use the block, so a pin it would
// resolve (created, or with a changed selector) is planned as known after
// apply and resolved at apply with the credentials. Before, the plan
// resolved it anonymously and failed with 401 on every plan, so nothing
// ever created the password. A data source, read at plan time, fails and
// says why; a refresh warns so too.
func TestAccUnknowns_registryAuthKnownOnlyAtApply(t *testing.T) {
	isolateHome(t)
	const password = "Appl1ed-Passw0rd"
	reg := newSeededRegistry(t, driftTags, registrytest.WithBasicAuth("me", password))
	repo := reg.Host() + "/" + prefectRepo
	config := func(trigger, selector, extra string) string {
		return fmt.Sprintf(`
resource "terraform_data" "pw" {
  input            = %[1]q
  triggers_replace = %[2]q
}

provider "prefectimage" {
  repository  = %[3]q
  max_retries = 1
  registry_auth {
    address  = %[4]q
    username = "me"
    password = terraform_data.pw.output
  }
}

resource "prefectimage_pin" "test" {
  prefect_version = %[5]q
  python_version  = "3.12"
}
%[6]s`, password, trigger, repo, reg.Host(), selector, extra)
	}
	knownAfterApply := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("digest")),
		plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("ref")),
	}}
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            config("a", "~> 3.4.0", ""),
			ConfigPlanChecks:  knownAfterApply,
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.4.2-python3.12"),
		}, {
			// The password rotated (replaced) while the selector changed.
			PreConfig:         rec.reset,
			Config:            config("b", "~> 3.5.0", ""),
			ConfigPlanChecks:  knownAfterApply,
			ConfigStateChecks: pinValues(t, reg, pinAddress, repo, "3.5.0-python3.12"),
			Check: rec.expectWarning(`(?s)Upstream Image Not Checked.*401.*The registry_auth block for ` +
				regexp.QuoteMeta(reg.Host()) + ` depends on a value known only after apply`),
		}, {
			Config: config("c", "~> 3.5.0", `
data "prefectimage_pin" "now" {
  tag = "3.4.1-python3.12"
}`),
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*` +
				wrapped("The registry_auth block for "+reg.Host()+" depends on a value known only after apply").String()),
		}},
	})
}

// Every selector attribute known only at apply (a terraform_data output),
// required_platforms with one unknown element among known ones, on_drift
// and repository too, for the resource at create and at update and for
// both data sources: validate passes, the plan shows them and the results
// as known after apply, the apply resolves them, and the plan after it is
// empty (no "inconsistent result after apply", no "inconsistent final
// plan"). An update whose unknowns turn out unchanged keeps the pin.
func TestAccUnknowns_selectorsKnownOnlyAtApply(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	config := func(version, trigger string) string {
		return providerConfig(reg) + fmt.Sprintf(`
resource "terraform_data" "v" {
  input = {
    version  = %[1]q
    python   = "3.12"
    flavor   = "standard"
    platform = "linux/amd64"
    arm      = "linux/arm64"
    on_drift = "warn"
    repo     = %[2]q
    trigger  = %[3]q
  }
}

locals {
  v = terraform_data.v.output
}

resource "prefectimage_pin" "test" {
  repository         = local.v.repo
  prefect_version    = local.v.version
  python_version     = local.v.python
  flavor             = local.v.flavor
  platform           = local.v.platform
  required_platforms = ["linux/amd64", local.v.arm]
  on_drift           = local.v.on_drift
}

resource "prefectimage_pin" "tag" {
  tag = local.v.python == "3.12" ? "3-latest" : "3.4.1-python3.11"
}

data "prefectimage_pin" "test" {
  repository         = local.v.repo
  prefect_version    = local.v.version
  python_version     = local.v.python
  flavor             = local.v.flavor
  platform           = local.v.platform
  required_platforms = ["linux/amd64", local.v.arm]
}

data "prefectimage_releases" "test" {
  repository      = local.v.repo
  prefect_version = local.v.version
  python_version  = local.v.python
  flavor          = local.v.flavor
}
`, version, repo, trigger)
	}
	unknownAtPlan := func(action plancheck.ResourceActionType) []plancheck.PlanCheck {
		checks := []plancheck.PlanCheck{plancheck.ExpectResourceAction(pinAddress, action)}
		for _, attr := range []string{"prefect_version", "python_version", "flavor", "platform", "repository", "on_drift", "digest", "ref", "tag", "platform_digests"} {
			checks = append(checks, plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New(attr)))
		}
		return append(checks,
			plancheck.ExpectUnknownValue(pinAddress, tfjsonpath.New("required_platforms").AtSliceIndex(1)),
			plancheck.ExpectKnownValue(pinAddress, tfjsonpath.New("required_platforms").AtSliceIndex(0), knownvalue.StringExact("linux/amd64")),
			plancheck.ExpectUnknownValue("prefectimage_pin.tag", tfjsonpath.New("digest")),
			plancheck.ExpectUnknownValue("data.prefectimage_pin.test", tfjsonpath.New("ref")),
			plancheck.ExpectUnknownValue("data.prefectimage_releases.test", tfjsonpath.New("versions")),
		)
	}
	resolved := func(tag, latest string) []statecheck.StateCheck {
		checks := append(pinValues(t, reg, pinAddress, repo, tag), pinValues(t, reg, "data.prefectimage_pin.test", repo, tag)...)
		checks = append(checks, pinValues(t, reg, "prefectimage_pin.tag", repo, "3-latest")...)
		return append(checks,
			statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("on_drift"), knownvalue.StringExact("warn")),
			statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_ref"), knownvalue.NotNull()),
			statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("required_platforms"), knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("linux/amd64"), knownvalue.StringExact("linux/arm64")})),
			statecheck.ExpectKnownValue("data.prefectimage_pin.test", tfjsonpath.New("platform_ref"), knownvalue.NotNull()),
			statecheck.ExpectKnownValue("data.prefectimage_releases.test", tfjsonpath.New("latest"), knownvalue.StringExact(latest)),
		)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config("~> 3.4.0", "a"),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: unknownAtPlan(plancheck.ResourceActionCreate)},
			ConfigStateChecks: resolved("3.4.2-python3.12", "3.4.2"),
		}, {
			// Unknown again at update, and unchanged once known: the pin holds.
			Config:            config("~> 3.4.0", "b"),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: unknownAtPlan(plancheck.ResourceActionUpdate)},
			ConfigStateChecks: resolved("3.4.2-python3.12", "3.4.2"),
		}, {
			// Unknown at update, and a new selector once known.
			Config:            config("~> 3.5.0", "c"),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: unknownAtPlan(plancheck.ResourceActionUpdate)},
			ConfigStateChecks: resolved("3.5.0-python3.12", "3.5.0"),
		}},
	})
}

// Blank selector attributes and null ones. null, written or from a module
// variable that defaults to null, is the attribute left out: the pin is
// the one an empty block gives, and writing a default out changes
// nothing. A blank string is an attribute error at validate time that
// says to leave it out (or null), before any registry is asked; an empty
// required_platforms requires nothing.
func TestAccUnknowns_nullAndBlank(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags)
	repo := reg.Host() + "/" + prefectRepo
	reg.ResetCounts()
	variables := `
variable "prefect_version" {
  type    = string
  default = null
}
variable "python_version" {
  type    = string
  default = null
}
variable "flavor" {
  type    = string
  default = null
}
variable "tag" {
  type    = string
  default = null
}
variable "platform" {
  type    = string
  default = null
}
variable "required_platforms" {
  type    = list(string)
  default = null
}
variable "repository" {
  type    = string
  default = null
}
variable "on_drift" {
  type    = string
  default = null
}
`
	pin := `
  prefect_version    = var.prefect_version
  python_version     = var.python_version
  flavor             = var.flavor
  tag                = var.tag
  platform           = var.platform
  required_platforms = var.required_platforms
  repository         = var.repository
`
	cfg := providerConfig(reg) + variables + `
resource "prefectimage_pin" "test" {` + pin + `  on_drift = var.on_drift
}

data "prefectimage_pin" "test" {` + pin + `}

data "prefectimage_releases" "test" {
  prefect_version = var.prefect_version
  python_version  = var.python_version
  flavor          = var.flavor
  repository      = var.repository
}
`
	newest := append(pinValues(t, reg, pinAddress, repo, "3.5.0-python3.12"), pinValues(t, reg, "data.prefectimage_pin.test", repo, "3.5.0-python3.12")...)
	newest = append(newest,
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("flavor"), knownvalue.StringExact("standard")),
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("on_drift"), knownvalue.StringExact("update")),
		statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("platform_digests"), knownvalue.Null()),
		statecheck.ExpectKnownValue("data.prefectimage_releases.test", tfjsonpath.New("versions"), knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringExact("3.5.0"), knownvalue.StringExact("3.4.2"), knownvalue.StringExact("3.4.1")})),
	)
	var steps []resource.TestStep
	for _, tc := range []struct{ attr, want string }{
		{"prefect_version", `Invalid Prefect Version Constraint.*prefect_version is blank; leave it out`},
		{"python_version", `Invalid Python Version.*python_version is blank; leave it out`},
		{"flavor", `Invalid Flavor.*flavor is blank; leave it out \(or null\) for "standard"`},
		{"tag", `Invalid Tag.*tag is blank; leave it out \(or null\)`},
		{"platform", `Invalid Platform.*platform is blank; leave it out \(or null\)`},
		{"repository", `Invalid Repository.*repository is blank; leave it out \(or null\)`},
	} {
		steps = append(steps, resource.TestStep{
			Config:          cfg,
			ConfigVariables: map[string]config.Variable{tc.attr: config.StringVariable("")},
			ExpectError:     regexp.MustCompile(`(?s)` + strings.ReplaceAll(tc.want, " ", `\s+`)),
		})
	}
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			// Terraform validates each block as its plan walk reaches it,
			// so a valid releases data source beside may list tags; no
			// pin with a blank attribute resolves a digest.
			if c := reg.Counts(); c.Head+c.Get != 0 {
				t.Errorf("a pin with a blank attribute reached the registry: %v", reg.Requests())
			}
		},
		Config:            cfg,
		ConfigStateChecks: newest,
	}, resource.TestStep{
		// The defaults written out, and an empty required_platforms: no change.
		Config: cfg,
		ConfigVariables: map[string]config.Variable{
			"flavor":             config.StringVariable("standard"),
			"repository":         config.StringVariable(repo),
			"on_drift":           config.StringVariable("update"),
			"required_platforms": config.ListVariable(),
		},
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringExact(mustDigest(t, reg, "3.5.0-python3.12"))),
		}},
		ConfigStateChecks: newest,
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// Through the real CLI: the registry_auth password from an ephemeral
// variable (Terraform 1.10+) works, and is in neither the saved plan
// (terraform show -json) nor the state; many pins and data sources on one
// repository under for_each and count list it no more than one pin and a
// releases data source alone do, and plan the same with -parallelism=1.
func TestAccCLI_ephemeralPasswordAndFleet(t *testing.T) {
	isolateHome(t)
	const password = "Ephem3ral-Passw0rd"
	reg := newSeededRegistry(t, nil, registrytest.WithBasicAuth("me", password))
	s := newCLISession(t)
	s.atLeast("1.10", "1.11") // ephemeral variables
	provider := fmt.Sprintf(`
variable "password" {
  type      = string
  ephemeral = true
}

provider "prefectimage" {
  repository  = %q
  max_retries = 1
  registry_auth {
    address  = %q
    username = "me"
    password = var.password
  }
}
`, reg.Host()+"/"+prefectRepo, reg.Host())
	s.config(provider + `
data "prefectimage_releases" "all" {}
`)
	s.must("init", "-input=false")
	reg.ResetCounts()
	s.must("plan", "-input=false", "-var", "password="+password)
	whole := reg.Counts().ListPage
	s.config(provider + `
locals {
  selectors = toset(["~> 3.4.0", "~> 3.1.0", "~> 2.20.0", ">= 3.0, < 3.3", "==3.1.*", "3.1.15", "~> 3.0", "~> 2.19.0"])
}
resource "prefectimage_pin" "each" {
  for_each        = local.selectors
  prefect_version = each.value
  python_version  = "3.11"
}
data "prefectimage_pin" "each" {
  for_each        = local.selectors
  prefect_version = each.value
  python_version  = "3.11"
}
resource "prefectimage_pin" "count" {
  count           = 5
  prefect_version = "~> 3.${count.index}.0"
}
data "prefectimage_releases" "each" {
  for_each        = local.selectors
  prefect_version = each.value
}
`)
	planJSON := func(args ...string) (string, int) {
		reg.ResetCounts()
		s.must(append([]string{"plan", "-input=false", "-out=tfplan", "-var", "password=" + password}, args...)...)
		pages := reg.Counts().ListPage
		out := s.must("show", "-json", "tfplan")
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		delete(doc, "timestamp")
		delete(doc, "relevant_attributes") // in the order the walk met them
		raw, _ := json.Marshal(doc)
		return string(raw), pages
	}
	serial, serialPages := planJSON("-parallelism=1")
	parallel, parallelPages := planJSON()
	if serial != parallel {
		t.Errorf("the plan with -parallelism=1 differs from the default's:\n%s\n%s", serial, parallel)
	}
	// Narrowed ranges overlap the whole listing the releases need by a page
	// or so where they meet; never a second listing.
	for _, pages := range []int{serialPages, parallelPages} {
		if pages > whole+whole/3 {
			t.Errorf("%d tag-list pages for the fleet, against %d for one whole listing", pages, whole)
		}
	}
	if strings.Contains(parallel, password) {
		t.Error("the saved plan holds the password")
	}
	s.must("apply", "-input=false", "-var", "password="+password, "tfplan")
	state, err := os.ReadFile(filepath.Join(s.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(state), password) {
		t.Error("the state holds the password")
	}
	if !strings.Contains(string(state), `"3.4.25-python3.11"`) {
		t.Errorf("the state lacks the pin of ~> 3.4.0:\n%s", state)
	}
	if out := s.must("plan", "-input=false", "-detailed-exitcode", "-var", "password="+password); !strings.Contains(out, "No changes.") {
		t.Errorf("the plan after the apply is not empty:\n%s", out)
	}
}
