package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/jobtemplate"
)

// max_retries = 1.5 was read as a number and refused by the framework while
// Configure read the block: "Configuration Read Error ... This is always an
// error in the provider ... Value %!s(*big.Float=1.5) is not an integer",
// after the validators had let it pass. A count that is not whole is the
// user's error, on the attribute, before any registry is asked.
func TestAccProvider_maxRetriesNotWhole(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	expectInvalid(t, reg, func(block string) string {
		return fmt.Sprintf("provider \"prefectimage\" {\n%s\n}\n", block) +
			fmt.Sprintf(`data "prefectimage_pin" "test" {
  repository = %q
  tag        = "3.1.15-python3.12"
}`, reg.Host()+"/"+prefectRepo)
	}, []invalidCase{
		{"fraction", `max_retries = 1.5`, `(?s)Invalid Attribute Value.*max_retries = 1\.5.*whole\s+number\s+between\s+0\s+and\s+10,\s+got: 1\.5`},
		{"fraction over the bound", `max_retries = 10.5`, `(?s)max_retries.*whole\s+number\s+between\s+0\s+and\s+10,\s+got: 10\.5`},
		{"negative fraction", `max_retries = -0.5`, `(?s)max_retries.*whole\s+number\s+between\s+0\s+and\s+10,\s+got: -0\.5`},
		{"huge", `max_retries = 1e400`, `(?s)max_retries.*whole\s+number\s+between\s+0\s+and\s+10`},
	})
}

// set_variable_defaults whose defaults are known only in part at plan time
// (the image of a pin being created, an env value from another resource):
// Terraform called the function only at apply, so a value the template
// refuses (image_pull_policy = "Sometimes", a variable the template lacks)
// failed the apply after the other resources were created, though the plan
// had gone through. The known part is checked at plan time now, and a value
// still unknown by its name; the result stays known after apply.
func TestAccSetVariableDefaultsFunction_partlyUnknownCheckedAtPlan(t *testing.T) {
	kubernetes := jobTemplatePath(t, "kubernetes.json")
	words := func(s string) string { return strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`) }
	step := func(defaults, want string) resource.TestStep {
		return resource.TestStep{
			Config: fmt.Sprintf(`
resource "terraform_data" "later" {
  input = "x"
}

output "template" {
  value = provider::prefectimage::set_variable_defaults(file(%q), %s)
}
`, kubernetes, defaults),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{
			step(`{ image = "prefecthq/prefect:${terraform_data.later.id}", image_pull_policy = "Sometimes" }`,
				`Invalid value for "defaults" parameter:(.|\s)*`+words(`refuses the string "Sometimes"`)),
			step(`{ image = "prefecthq/prefect", env = { A = terraform_data.later.id } }`,
				`Invalid value for "defaults" parameter:(.|\s)*`+words("neither a tag nor a digest")),
			step(`{ imagePullPolicy = terraform_data.later.id }`,
				`Invalid value for "defaults" parameter:(.|\s)*`+words(`has no job variable "imagePullPolicy"`)),
			step(`tomap({ image = terraform_data.later.id, namespace = 5 })`,
				`Invalid value for "defaults" parameter:(.|\s)*namespace`),
			{
				// The template unknown: a known image is checked all the
				// same, as set_image_default checks it.
				Config: `
resource "terraform_data" "later" {
  input = "x"
}

output "template" {
  value = provider::prefectimage::set_variable_defaults(terraform_data.later.output, { image = "prefecthq/prefect" })
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid value for "defaults" parameter:(.|\s)*` + words("neither a tag nor a digest")),
			},
			{
				// Partly unknown and valid: known after apply, then set.
				Config: fmt.Sprintf(`
resource "terraform_data" "later" {
  input = "x"
}

output "template" {
  value = provider::prefectimage::set_variable_defaults(file(%q), {
    image             = "prefecthq/prefect:${terraform_data.later.output}"
    image_pull_policy = "IfNotPresent"
  })
}
`, kubernetes),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownOutputValue("template")},
				},
				Check: resource.TestCheckOutput("template", mustSetDefaults(t, kubernetes, map[string]any{
					"image": "prefecthq/prefect:x", "image_pull_policy": "IfNotPresent"})),
			},
		},
	})
}

func mustSetDefaults(t *testing.T, templatePath string, defaults map[string]any) string {
	t.Helper()
	b, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jobtemplate.SetVariableDefaults(string(b), defaults)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// prefect_version = "~> 2" is ">= 2" in Terraform's reading (documented), so
// it pinned Prefect 3 without a word, where "3.4" (exact) draws a warning.
// It pins what Terraform's reading says, and warns with what to write.
func TestAccPin_majorOnlyPessimisticWarns(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"2.20.18-python3.12", "3.4.2-python3.12"})
	repo := reg.Host() + "/" + prefectRepo
	const warning = `(?s)warning: Prefect Version Admits Later Major Releases: prefect_version "~> 2" means >= 2.*Prefect 3 and every later major release.*%s the newest of them.*"~> 2\.0" \(or "==2\.\*"\)`
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            providerConfig(reg) + `data "prefectimage_pin" "test" { prefect_version = "~> 2" }`,
			ConfigStateChecks: pinValues(t, reg, "data.prefectimage_pin.test", repo, "3.4.2-python3.12"),
			Check:             rec.expectWarning(fmt.Sprintf(warning, "pins")),
		}, {
			PreConfig: rec.reset,
			Config: providerConfig(reg) + `data "prefectimage_releases" "test" { prefect_version = "~> 2" }
output "latest" { value = data.prefectimage_releases.test.latest }`,
			Check: resource.ComposeTestCheckFunc(rec.expectWarning(fmt.Sprintf(warning, "lists")),
				resource.TestCheckOutput("latest", "3.4.2")),
		}, {
			PreConfig: rec.reset,
			Config:    providerConfig(reg) + `data "prefectimage_pin" "test" { prefect_version = "~> 2.0" }`,
			Check: func(*terraform.State) error {
				if rec.expectWarning(`Prefect Version Admits Later Major Releases`)(nil) == nil {
					return fmt.Errorf(`prefect_version "~> 2.0" drew the warning of "~> 2"`)
				}
				return nil
			},
		}},
	})
}

// parse_tag of a string far longer than a tag (a file read by mistake)
// quoted it whole three times: parse_tag("<200,000 digits>-python3.12") gave
// an error of 600,000 characters (the tag, its version, the number at fault).
// An image tag is at most 128 characters: that is said, with the start of
// the string alone.
func TestAccParseTagFunction_longInputQuotedInPart(t *testing.T) {
	long := strings.Repeat("3", 200000) + "-python3.12"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`output "x" {
  value = provider::prefectimage::parse_tag(%q)
}
`, long),
			// The message ends after the length: one that quotes the
			// input whole does not match.
			ExpectError: regexp.MustCompile(`Invalid value for "tag" parameter:\s+"3{40}"…\s+\(200011\s+characters\)\s+is\s+not\s+a\s+Prefect\s+image\s+tag:\s+an\s+image\s+tag\s+is\s+at\s+most\s+128\s+characters\.?\s*$`),
		}, {
			// Characters, not bytes: 70 "é" (140 bytes) are not too long,
			// only no tag (they were "140 characters … at most 128").
			Config: fmt.Sprintf(`output "x" {
  value = provider::prefectimage::parse_tag(%q)
}
`, strings.Repeat("é", 70)),
			ExpectError: regexp.MustCompile(`(?s)Invalid value for "tag" parameter:.*é{70}`),
		}},
	})
}

// set_image_default(template, prefectimage_pin.x.ref) of a pin being created:
// Terraform called the function only at apply, so a template without an
// image variable (a process work pool's) failed the apply after the pin was
// created. The template is checked in the plan now, with the image known
// after apply, and a known image beside a template known after apply is
// checked too.
func TestAccSetImageDefaultFunction_partlyUnknownCheckedAtPlan(t *testing.T) {
	process := jobTemplatePath(t, "process.json")
	docker := jobTemplatePath(t, "docker.json")
	words := func(s string) string { return strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`) }
	step := func(call, want string) resource.TestStep {
		return resource.TestStep{
			Config: `
resource "terraform_data" "later" {
  input = "x"
}

output "template" {
  value = ` + call + `
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{
			step(fmt.Sprintf(`provider::prefectimage::set_image_default(file(%q), "prefecthq/prefect:${terraform_data.later.id}")`, process),
				`Invalid value for "base_job_template" parameter:(.|\s)*`+words("has no variables.properties.image")),
			step(`provider::prefectimage::set_image_default(terraform_data.later.output, "prefecthq/prefect")`,
				`Invalid value for "image" parameter:(.|\s)*`+words("neither a tag nor a digest")),
			{
				Config: fmt.Sprintf(`
resource "terraform_data" "later" {
  input = "x"
}

output "template" {
  value = provider::prefectimage::set_image_default(file(%q), "prefecthq/prefect:${terraform_data.later.output}")
}
`, docker),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownOutputValue("template")},
				},
				Check: resource.TestCheckOutput("template", mustSetDefaults(t, docker, map[string]any{"image": "prefecthq/prefect:x"})),
			},
		},
	})
}

// A ~> of one number in any clause warns while the constraint admits a
// later major release: ">= 2, ~> 2" and "~> 2, != 3.0.0" admit Prefect 3
// as "~> 2" does (the clause alone was matched, and they drew nothing);
// "~> 2, < 3" and "~> 2.0" do not. A number past six digits is no release.
func TestMajorOnlyPessimisticClauses(t *testing.T) {
	for s, want := range map[string]string{
		"~> 2":                   `prefect_version "~> 2" means >= 2 in Terraform's syntax, as Terraform's own required_version reads it: Prefect 3 and every later`,
		"~>3":                    `prefect_version "~>3" means >= 3 in Terraform's syntax, as Terraform's own required_version reads it: Prefect 4 and every later`,
		">= 2, ~> 2":             `In prefect_version ">= 2, ~> 2", "~> 2" means >= 2 in Terraform's syntax, as Terraform's own required_version reads it: Prefect 3 and every later`,
		"~> 2, != 3.0.0":         `"~> 2" means >= 2 in Terraform's syntax, as Terraform's own required_version reads it: Prefect 3 and every later`,
		"~> 2, < 3":              "",
		"~> 2, < 3.0.1":          `"~> 2" means >= 2 in Terraform's syntax, as Terraform's own required_version reads it: Prefect 3 and every later`,
		"~> 2.0":                 "",
		"==2.*":                  "",
		">= 2":                   "",
		"~> 9223372036854775807": "",
	} {
		var resp validator.StringResponse
		majorOnlyPessimistic{}.ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("prefect_version"), ConfigValue: types.StringValue(s),
		}, &resp)
		got := ""
		if w := resp.Diagnostics.Warnings(); len(w) == 1 {
			got = w[0].Detail()
		} else if len(w) > 1 {
			t.Errorf("%q: %d warnings", s, len(w))
		}
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want it to hold %q", s, got, want)
		}
	}
}
