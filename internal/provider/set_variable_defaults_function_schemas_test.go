package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Schema forms of JSON Schema that Prefect's templates can hold, through the
// function as Terraform calls it: what each takes, and each refusal on
// argument 1 (defaults) saying what to write.
func TestSetVariableDefaultsFunction_SchemaForms(t *testing.T) {
	str := func(s string) attr.Value { return types.StringValue(s) }
	obj := func(name string, v attr.Value) attr.Value { return tfObject(map[string]attr.Value{name: v}) }
	forms := `{"variables": {"properties": {"any": true, "none": false, "launch_type": {"const": "FARGATE"},
	  "auth": {"anyOf": [
	    {"type": "object", "properties": {"token": {"type": "string"}}, "additionalProperties": false},
	    {"type": "object", "properties": {"username": {"type": "string"}}, "additionalProperties": false}]},
	  "size": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}}`

	accepted := []struct {
		name     string
		template string
		defaults attr.Value
		contains string
	}{
		{"true schema", forms, obj("any", obj("a", str("b"))), `"any":{"default":{"a":"b"}}`},
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
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			checkFunctionError(t, runSetVariableDefaults(tt.template, tt.defaults), 1, tt.contains)
		})
	}
}
