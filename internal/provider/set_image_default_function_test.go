package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

const (
	sidDigest    = "sha256:9f2d3c1b8e7a6f5d4c3b2a19087f6e5d4c3b2a19087f6e5d4c3b2a19087f6e5d"
	sidRef       = "prefecthq/prefect@" + sidDigest
	sidTaggedRef = "prefecthq/prefect:3.1.15-python3.12@" + sidDigest
)

// jobTemplatePath is a worker template in the jobtemplate package's testdata.
func jobTemplatePath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "jobtemplate", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readJobTemplate(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(jobTemplatePath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func runSetImageDefault(template, image string) function.RunResponse {
	resp := function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	NewSetImageDefaultFunction().Run(context.Background(), function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(template), types.StringValue(image)}),
	}, &resp)
	return resp
}

func TestSetImageDefaultFunction_Run(t *testing.T) {
	small := `{"job_configuration": {"image": "{{ image }}", "big": 12345678901234567890, "tenth": 0.1, "note": "a<b&c>d"},
	  "variables": {"properties": {"image": {"type": "string", "default": "prefecthq/prefect:3-latest"}}}}`
	tests := []struct {
		name     string
		template string
		image    string
		want     string
	}{
		{
			name:     "numbers and html characters kept, old default replaced",
			template: small,
			image:    sidTaggedRef,
			want: `{"job_configuration":{"big":12345678901234567890,"image":"{{ image }}","note":"a<b&c>d","tenth":0.1},` +
				`"variables":{"properties":{"image":{"default":"` + sidTaggedRef + `","type":"string"}}}}`,
		},
		{
			name:     "minimal",
			template: `{"variables":{"properties":{"image":{}}}}`,
			image:    "ghcr.io/acme/prefect:3.1.15-python3.12",
			want:     `{"variables":{"properties":{"image":{"default":"ghcr.io/acme/prefect:3.1.15-python3.12"}}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := runSetImageDefault(tt.template, tt.image)
			if resp.Error != nil {
				t.Fatalf("error: %s", resp.Error)
			}
			if want := function.NewResultData(types.StringValue(tt.want)); !resp.Result.Equal(want) {
				t.Errorf("got  %s\nwant %s", resp.Result.Value(), tt.want)
			}
		})
	}

	// Each worker template: the image default is set.
	for _, file := range []string{"docker.json", "kubernetes.json", "ecs.json", "cloud-run.json"} {
		t.Run(file, func(t *testing.T) {
			resp := runSetImageDefault(readJobTemplate(t, file), sidRef)
			if resp.Error != nil {
				t.Fatalf("error: %s", resp.Error)
			}
			var doc struct {
				Variables struct {
					Properties struct {
						Image struct {
							Default string `json:"default"`
						} `json:"image"`
					} `json:"properties"`
				} `json:"variables"`
			}
			out := resp.Result.Value().(types.String).ValueString()
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Variables.Properties.Image.Default != sidRef {
				t.Errorf("image default %q", doc.Variables.Properties.Image.Default)
			}
		})
	}
}

// Template problems are errors on argument 0, image problems on argument 1,
// each saying what to do.
func TestSetImageDefaultFunction_RunErrors(t *testing.T) {
	docker := readJobTemplate(t, "docker.json")
	tests := []struct {
		name     string
		template string
		image    string
		arg      int64
		contains string
	}{
		{"empty template", "", sidRef, 0, "the base job template is empty"},
		{"not json", `job_configuration = {}`, sidRef, 0, "not valid JSON"},
		{"truncated", `{"variables": {`, sidRef, 0, "byte offset 15"},
		{"not an object", `["docker"]`, sidRef, 0, "JSON array, not an object"},
		{"process pool", readJobTemplate(t, "process.json"), sidRef, 0, "this work pool type has no image variable"},
		{"no variables", `{"job_configuration": {}}`, sidRef, 0, "has no variables;"},
		{"image not an object", `{"variables": {"properties": {"image": "x"}}}`, sidRef, 0, "variables.properties.image is a JSON string"},
		{"both bad: template first", `[]`, "", 0, "not an object"},
		{"empty image", docker, "", 1, "the image is empty"},
		{"untagged image", docker, "prefecthq/prefect", 1, "neither a tag nor a digest"},
		{"bad digest", docker, "prefecthq/prefect@sha256:abc", 1, "invalid digest"},
		{"upper case", docker, "PrefectHQ/prefect:3-latest", 1, "invalid repository"},
		{"scheme", docker, "docker://prefecthq/prefect:3-latest", 1, "URL scheme"},
		{"digest alone", docker, sidDigest, 1, "is a digest alone"},
		{"encoded twice", `"{\"variables\": {\"properties\": {\"image\": {}}}}"`, sidRef, 0, "encoded twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := runSetImageDefault(tt.template, tt.image)
			checkFunctionError(t, resp, tt.arg, tt.contains)
		})
	}
}

func TestSetImageDefaultFunction_Definition(t *testing.T) {
	checkDefinition(t, NewSetImageDefaultFunction(), "set_image_default", "base_job_template", "image")
}

// Through the Terraform CLI, on templates read with file() and written in a
// heredoc, checked with jsondecode.
func TestAccSetImageDefaultFunction(t *testing.T) {
	docker := jobTemplatePath(t, "docker.json")
	ecs := jobTemplatePath(t, "ecs.json")
	process := jobTemplatePath(t, "process.json")

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{
			// Error steps first: the post-test destroy runs the last step's config.
			{
				Config: fmt.Sprintf(`
output "process" {
  value = provider::prefectimage::set_image_default(file(%q), %q)
}
`, process, sidRef),
				ExpectError: regexp.MustCompile(`Invalid value for "base_job_template" parameter:(.|\s)*this\s+work\s+pool\s+type\s+has\s+no\s+image\s+variable`),
			},
			{
				Config: fmt.Sprintf(`
output "untagged" {
  value = provider::prefectimage::set_image_default(file(%q), "prefecthq/prefect")
}
`, docker),
				ExpectError: regexp.MustCompile(`Invalid value for "image" parameter:(.|\s)*neither\s+a\s+tag\s+nor\s+a\s+digest`),
			},
			{
				Config: `
output "not_json" {
  value = provider::prefectimage::set_image_default("{\"variables\": ", "prefecthq/prefect:3-latest")
}
`,
				ExpectError: regexp.MustCompile(`Invalid value for "base_job_template" parameter:(.|\s)*not\s+valid\s+JSON`),
			},
			{
				Config: fmt.Sprintf(`
locals {
  original = file(%[1]q)
  result   = provider::prefectimage::set_image_default(local.original, %[2]q)
  before   = jsondecode(local.original)
  after    = jsondecode(local.result)
}

output "image_default" {
  value = local.after.variables.properties.image.default
}

output "image_title" {
  value = local.after.variables.properties.image.title
}

output "job_image" {
  value = local.after.job_configuration.image
}

# Everything but the image variable is as it was.
output "job_configuration_unchanged" {
  value = local.after.job_configuration == local.before.job_configuration
}

output "other_variables_unchanged" {
  value = merge(local.after.variables.properties, { image = null }) == merge(local.before.variables.properties, { image = null })
}

output "definitions_unchanged" {
  value = local.after.variables.definitions == local.before.variables.definitions
}

# The text is what jsonencode would write, so a work pool sees no spurious diff.
output "as_jsonencode" {
  value = local.result == jsonencode(local.after)
}
`, docker, sidRef),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("image_default", knownvalue.StringExact(sidRef)),
					statecheck.ExpectKnownOutputValue("image_title", knownvalue.StringExact("Image")),
					statecheck.ExpectKnownOutputValue("job_image", knownvalue.StringExact("{{ image }}")),
					statecheck.ExpectKnownOutputValue("job_configuration_unchanged", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("other_variables_unchanged", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("definitions_unchanged", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("as_jsonencode", knownvalue.Bool(true)),
				},
			},
			{
				// A heredoc template; the numbers come back with their exact text.
				Config: fmt.Sprintf(`
locals {
  template = <<-EOT
    {
      "job_configuration": {"image": "{{ image }}", "big": 12345678901234567890, "tenth": 0.1},
      "variables": {"properties": {"image": {"type": "string"}}}
    }
  EOT
}

output "result" {
  value = provider::prefectimage::set_image_default(local.template, %[1]q)
}

output "ecs_default" {
  value = jsondecode(provider::prefectimage::set_image_default(file(%[2]q), %[1]q)).variables.properties.image.default
}

output "ecs_cpu_default" {
  value = jsondecode(provider::prefectimage::set_image_default(file(%[2]q), %[1]q)).variables.properties.cpu.default
}
`, sidTaggedRef, ecs),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("result", knownvalue.StringExact(
						`{"job_configuration":{"big":12345678901234567890,"image":"{{ image }}","tenth":0.1},`+
							`"variables":{"properties":{"image":{"default":"`+sidTaggedRef+`","type":"string"}}}}`)),
					statecheck.ExpectKnownOutputValue("ecs_default", knownvalue.StringExact(sidTaggedRef)),
					statecheck.ExpectKnownOutputValue("ecs_cpu_default", knownvalue.Int64Exact(1024)),
				},
			},
			{
				// The image comes from a resource, known only after apply.
				Config: fmt.Sprintf(`
resource "terraform_data" "pin" {
  input = %[2]q
}

output "image_default" {
  value = jsondecode(provider::prefectimage::set_image_default(file(%[1]q), terraform_data.pin.output)).variables.properties.image.default
}
`, docker, sidRef),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("image_default", knownvalue.StringExact(sidRef)),
				},
			},
		},
	})
}
