package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Schema forms of JSON Schema that Prefect's templates can hold, through the
// function as Terraform calls it: what each takes, and each refusal on
// argument 1 (defaults) saying what to write.
func TestSetVariableDefaultsFunction_SchemaForms(t *testing.T) {
	const blockID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	str := func(s string) attr.Value { return types.StringValue(s) }
	obj := func(name string, v attr.Value) attr.Value { return tfObject(map[string]attr.Value{name: v}) }
	ecs := readJobTemplate(t, "ecs.json")
	forms := `{"variables": {"properties": {"any": true, "none": false, "launch_type": {"const": "FARGATE"},
	  "auth": {"anyOf": [
	    {"type": "object", "properties": {"token": {"type": "string"}}, "additionalProperties": false},
	    {"type": "object", "properties": {"username": {"type": "string"}}, "additionalProperties": false}]},
	  "size": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}}`
	// { "$ref" = { block_document_id = prefect_block.aws.id } } in HCL.
	blockRef := func(inner attr.Value) attr.Value { return obj("$ref", inner) }

	accepted := []struct {
		name     string
		template string
		defaults attr.Value
		contains string
	}{
		{"true schema", forms, obj("any", obj("a", str("b"))), `"any":{"default":{"a":"b"}}`},
		{"block reference", ecs, obj("aws_credentials", blockRef(obj("block_document_id", str(blockID)))),
			`"default":{"$ref":{"block_document_id":"` + blockID + `"}}`},
		{"block id not known yet", ecs, obj("aws_credentials", blockRef(obj("block_document_id", types.StringUnknown()))), ""},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			resp := runSetVariableDefaults(tt.template, tt.defaults)
			if resp.Error != nil {
				t.Fatalf("error: %s", resp.Error)
			}
			if got := resp.Result.Value().(types.String); !strings.Contains(got.ValueString(), tt.contains) {
				t.Errorf("result %s lacks %s", got, tt.contains)
			}
		})
	}

	refused := []struct {
		name     string
		template string
		defaults attr.Value
		contains string
	}{
		{"false schema", forms, obj("none", str("x")), "schema for none is false, which allows no value at all"},
		{"const", forms, obj("launch_type", str("EC2")), `refuses the string "EC2": it allows exactly "FARGATE"`},
		{"anyOf closed objects", forms, obj("auth", obj("user", str("u"))),
			"refuses an object: it allows an object with only the member token or an object with only the member username"},
		{"oneOf", forms, obj("size", types.BoolValue(true)), "refuses the bool true: it allows a string or an integer"},
		{"listed value in another case", readJobTemplate(t, "docker.json"), obj("image_pull_policy", str("ifNotPresent")),
			`it allows one of "IfNotPresent", "Always", "Never" or null (did you mean "IfNotPresent"?)`},
		{"block reference a string", ecs, obj("aws_credentials", blockRef(str(blockID))),
			`refuses aws_credentials["$ref"], a string of 36 characters: it allows an object with a block_document_id there; ` +
				`an object with a $ref is a block reference to Prefect, written {"$ref": {"block_document_id": "<id>"}}`},
		{"block id not a UUID", ecs, obj("aws_credentials", blockRef(obj("block_document_id", str("my-creds")))),
			"it allows the id of a block document, a UUID there"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			checkFunctionError(t, runSetVariableDefaults(tt.template, tt.defaults), 1, tt.contains)
		})
	}
}

// Through Terraform: a block reference written in HCL ("$ref" quoted, as an
// HCL object key must be) becomes the default; a false schema and a $ref
// that is a string are refused at plan time.
func TestAccSetVariableDefaults_blockReferenceAndBooleanSchemas(t *testing.T) {
	const template = `
locals {
  template = jsonencode({
    job_configuration = { aws_credentials = "{{ aws_credentials }}" }
    variables = {
      type = "object"
      properties = {
        aws_credentials = { allOf = [{ "$ref" = "#/definitions/AwsCredentials" }] }
        anything        = true
        nothing         = false
      }
      definitions = {
        AwsCredentials = {
          title = "AwsCredentials", type = "object", block_type_slug = "aws-credentials"
          properties = { region_name = { type = "string" } }
        }
      }
    }
  })
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{
			{
				Config: template + `
output "x" {
  value = provider::prefectimage::set_variable_defaults(local.template, { nothing = "x" })
}
`,
				ExpectError: wrapped(`Invalid value for "defaults" parameter: the base job template's schema for nothing is false, which allows no value at all`),
			},
			{
				Config: template + `
output "x" {
  value = provider::prefectimage::set_variable_defaults(local.template, {
    aws_credentials = { "$ref" = "3fa85f64-5717-4562-b3fc-2c963f66afa6" }
  })
}
`,
				ExpectError: wrapped(`refuses aws_credentials["$ref"], a string of 36 characters: it allows an object with a block_document_id there`),
			},
			{
				Config: template + `
locals {
  after = jsondecode(provider::prefectimage::set_variable_defaults(local.template, {
    aws_credentials = { "$ref" = { block_document_id = "3fa85f64-5717-4562-b3fc-2c963f66afa6" } }
    anything        = { a = 1 }
  })).variables.properties
}

output "defaults" {
  value = [jsonencode(local.after.aws_credentials.default), jsonencode(local.after.anything.default)]
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("defaults", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(`{"$ref":{"block_document_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6"}}`),
						knownvalue.StringExact(`{"a":1}`),
					})),
				},
			},
		},
	})
}
