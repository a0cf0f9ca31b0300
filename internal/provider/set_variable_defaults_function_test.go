package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

func runSetVariableDefaults(template string, defaults attr.Value) function.RunResponse {
	resp := function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	NewSetVariableDefaultsFunction().Run(context.Background(), function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(template), types.DynamicValue(defaults)}),
	}, &resp)
	return resp
}

// tfObject builds a Terraform object value from attribute values.
func tfObject(attrs map[string]attr.Value) types.Object {
	attrTypes := make(map[string]attr.Type, len(attrs))
	for k, v := range attrs {
		attrTypes[k] = v.Type(context.Background())
	}
	return types.ObjectValueMust(attrTypes, attrs)
}

// tfNumber is a number as Terraform holds one written in HCL: parsed at 512
// bits, as cty and the protocol's string form do.
func tfNumber(t *testing.T, s string) types.Number {
	t.Helper()
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		t.Fatal(err)
	}
	return types.NumberValue(f)
}

func TestSetVariableDefaultsFunction_Run(t *testing.T) {
	const small = `{"job_configuration": {"image": "{{ image }}", "env": "{{ env }}", "note": "a<b&c>d", "tenth": 0.1},
	  "variables": {"properties": {
	    "image": {"type": "string", "default": "prefecthq/prefect:3-latest"},
	    "image_pull_policy": {"anyOf": [{"$ref": "#/definitions/ImagePullPolicy"}, {"type": "null"}], "default": null},
	    "env": {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
	    "big": {"type": "integer"}, "tenth": {"type": "number"}, "huge": {"type": "number"},
	    "networks": {"type": "array", "items": {"type": "string"}},
	    "volumes": {"type": "array", "items": {"type": "string"}}},
	    "definitions": {"ImagePullPolicy": {"enum": ["IfNotPresent", "Always", "Never"], "type": "string"}}}}`
	env := types.MapValueMust(types.StringType, map[string]attr.Value{
		"EXTRA_PIP_PACKAGES": types.StringValue("pandas==2.2.3"), "UNSET": types.StringNull(),
	})
	tests := []struct {
		name     string
		defaults attr.Value
		want     string
	}{
		{
			name: "object of every kind of value",
			defaults: tfObject(map[string]attr.Value{
				"image":             types.StringValue(sidRef),
				"image_pull_policy": types.StringValue("IfNotPresent"),
				"env":               env,
				"big":               tfNumber(t, "12345678901234567890"),
				"tenth":             tfNumber(t, "0.1"),
				"huge":              tfNumber(t, "1e30"),
				"networks":          types.TupleValueMust([]attr.Type{types.StringType}, []attr.Value{types.StringValue("flows")}),
				"volumes":           types.SetValueMust(types.StringType, []attr.Value{types.StringValue("/srv:/srv")}),
			}),
			want: `{"job_configuration":{"env":"{{ env }}","image":"{{ image }}","note":"a<b&c>d","tenth":0.1},"variables":{` +
				`"definitions":{"ImagePullPolicy":{"enum":["IfNotPresent","Always","Never"],"type":"string"}},"properties":{` +
				`"big":{"default":12345678901234567890,"type":"integer"},` +
				`"env":{"additionalProperties":{"anyOf":[{"type":"string"},{"type":"null"}]},"default":{"EXTRA_PIP_PACKAGES":"pandas==2.2.3","UNSET":null},"type":"object"},` +
				`"huge":{"default":1000000000000000000000000000000,"type":"number"},` +
				`"image":{"default":"` + sidRef + `","type":"string"},` +
				`"image_pull_policy":{"anyOf":[{"$ref":"#/definitions/ImagePullPolicy"},{"type":"null"}],"default":"IfNotPresent"},` +
				`"networks":{"default":["flows"],"items":{"type":"string"},"type":"array"},` +
				`"tenth":{"default":0.1,"type":"number"},` +
				`"volumes":{"default":["/srv:/srv"],"items":{"type":"string"},"type":"array"}}}}`,
		},
		{
			name: "a map, and null removes a default",
			defaults: types.MapValueMust(types.StringType, map[string]attr.Value{
				"image": types.StringNull(), "image_pull_policy": types.StringValue("Never"),
			}),
			want: `{"job_configuration":{"env":"{{ env }}","image":"{{ image }}","note":"a<b&c>d","tenth":0.1},"variables":{` +
				`"definitions":{"ImagePullPolicy":{"enum":["IfNotPresent","Always","Never"],"type":"string"}},"properties":{` +
				`"big":{"type":"integer"},` +
				`"env":{"additionalProperties":{"anyOf":[{"type":"string"},{"type":"null"}]},"type":"object"},` +
				`"huge":{"type":"number"},"image":{"type":"string"},` +
				`"image_pull_policy":{"anyOf":[{"$ref":"#/definitions/ImagePullPolicy"},{"type":"null"}],"default":"Never"},` +
				`"networks":{"items":{"type":"string"},"type":"array"},"tenth":{"type":"number"},` +
				`"volumes":{"items":{"type":"string"},"type":"array"}}}}`,
		},
		{
			name:     "nothing to set",
			defaults: tfObject(map[string]attr.Value{}),
			want: `{"job_configuration":{"env":"{{ env }}","image":"{{ image }}","note":"a<b&c>d","tenth":0.1},"variables":{` +
				`"definitions":{"ImagePullPolicy":{"enum":["IfNotPresent","Always","Never"],"type":"string"}},"properties":{` +
				`"big":{"type":"integer"},` +
				`"env":{"additionalProperties":{"anyOf":[{"type":"string"},{"type":"null"}]},"type":"object"},` +
				`"huge":{"type":"number"},"image":{"default":"prefecthq/prefect:3-latest","type":"string"},` +
				`"image_pull_policy":{"anyOf":[{"$ref":"#/definitions/ImagePullPolicy"},{"type":"null"}],"default":null},` +
				`"networks":{"items":{"type":"string"},"type":"array"},"tenth":{"type":"number"},` +
				`"volumes":{"items":{"type":"string"},"type":"array"}}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := runSetVariableDefaults(small, tt.defaults)
			if resp.Error != nil {
				t.Fatalf("error: %s", resp.Error)
			}
			if got := resp.Result.Value().(types.String).ValueString(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}

	// Each worker template takes what a platform team sets in it.
	for file, defaults := range map[string]attr.Value{
		"docker.json": tfObject(map[string]attr.Value{
			"image": types.StringValue(sidRef), "image_pull_policy": types.StringValue("IfNotPresent"), "env": env,
		}),
		"kubernetes.json": tfObject(map[string]attr.Value{
			"image": types.StringValue(sidTaggedRef), "image_pull_policy": types.StringValue("IfNotPresent"),
			"backoff_limit": tfNumber(t, "3"), "namespace": types.StringValue("flows"),
		}),
		"kubernetes-enum-refs.json": tfObject(map[string]attr.Value{"image_pull_policy": types.StringValue("Always")}),
		"ecs.json": tfObject(map[string]attr.Value{
			"cpu": tfNumber(t, "2048"), "memory": tfNumber(t, "4096"), "launch_type": types.StringValue("FARGATE_SPOT"),
		}),
		"cloud-run.json": tfObject(map[string]attr.Value{"cpu": types.StringValue("2000m"), "timeout": tfNumber(t, "3600")}),
		"process.json":   tfObject(map[string]attr.Value{"working_dir": types.StringValue("/opt/flows"), "env": env}),
	} {
		t.Run(file, func(t *testing.T) {
			resp := runSetVariableDefaults(readJobTemplate(t, file), defaults)
			if resp.Error != nil {
				t.Fatalf("error: %s", resp.Error)
			}
			var doc struct {
				Variables struct {
					Properties map[string]struct {
						Default json.RawMessage `json:"default"`
					} `json:"properties"`
				} `json:"variables"`
			}
			if err := json.Unmarshal([]byte(resp.Result.Value().(types.String).ValueString()), &doc); err != nil {
				t.Fatal(err)
			}
			for name, v := range defaults.(types.Object).Attributes() {
				want, err := jsonValue(v, name)
				if err != nil {
					t.Fatal(err)
				}
				wantText, _ := json.Marshal(want)
				if got := string(doc.Variables.Properties[name].Default); got != string(wantText) {
					t.Errorf("%s default = %s, want %s", name, got, wantText)
				}
			}
		})
	}
}

// Template problems are errors on argument 0; names and values that the
// template does not take, on argument 1 (defaults). Each says what to do.
func TestSetVariableDefaultsFunction_RunErrors(t *testing.T) {
	docker := readJobTemplate(t, "docker.json")
	str := func(s string) attr.Value { return types.StringValue(s) }
	obj := func(name string, v attr.Value) attr.Value { return tfObject(map[string]attr.Value{name: v}) }
	tests := []struct {
		name     string
		template string
		defaults attr.Value
		arg      int64
		contains string
	}{
		{"empty template", "", obj("image", str(sidRef)), 0, "the base job template is empty"},
		{"not json", `job_configuration = {}`, obj("image", str(sidRef)), 0, "not valid JSON"},
		{"not an object", `["docker"]`, obj("image", str(sidRef)), 0, "JSON array, not an object"},
		{"no variables", `{"job_configuration": {}}`, obj("env", tfObject(nil)), 0, "has no variables, so it has no job variables"},
		{"variable not an object", `{"variables": {"properties": {"env": 1}}}`, obj("env", tfObject(nil)), 0,
			"variables.properties.env is a JSON number"},
		{"dangling $ref", `{"variables": {"properties": {"p": {"$ref": "#/definitions/P"}}}}`, obj("p", str("x")), 0,
			`$ref "#/definitions/P" that does not resolve`},

		{"defaults a string", docker, str("IfNotPresent"), 1, "defaults is a string, not an object"},
		{"defaults a list", docker, types.TupleValueMust([]attr.Type{types.StringType}, []attr.Value{str("image")}), 1,
			"defaults is a list, not an object"},
		{"unknown variable", docker, obj("imagePullPolicy", str("Always")), 1,
			`has no job variable "imagePullPolicy" (did you mean image_pull_policy for imagePullPolicy?)`},
		{"image on a process pool", readJobTemplate(t, "process.json"), obj("image", str(sidRef)), 1,
			"its job variables are command, env, labels, name, stream_output, working_dir"},
		{"refused enum", docker, obj("image_pull_policy", str("Sometimes")), 1,
			`it allows one of "IfNotPresent", "Always", "Never" or null`},
		{"refused env value", docker, obj("env", tfObject(map[string]attr.Value{"PORT": tfNumber(t, "8080")})), 1,
			`refuses env.PORT, the number 8080: it allows a string or null there; write it as a string, "8080"`},
		{"untagged image", docker, obj("image", str("prefecthq/prefect")), 1, "neither a tag nor a digest"},
		{"infinite number", docker, obj("mem_limit", types.NumberValue(big.NewFloat(math.Inf(1)))), 1,
			"defaults.mem_limit is infinite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := runSetVariableDefaults(tt.template, tt.defaults)
			checkFunctionError(t, resp, tt.arg, tt.contains)
		})
	}
}

// Property: a Terraform number, in each form the protocol delivers it (an
// int64, an exact float64, or decimal text parsed at 512 bits), becomes JSON
// text that reads back as the same number; integers have no point or
// exponent.
func TestJSONValue_NumbersExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	check := func(f *big.Float) {
		t.Helper()
		v, err := jsonValue(types.NumberValue(f), "n")
		if err != nil {
			t.Fatal(err)
		}
		text := string(v.(json.Number))
		if !json.Valid([]byte(text)) {
			t.Fatalf("%s: %q is not a JSON number", f.Text('g', 20), text)
		}
		back, _, err := big.ParseFloat(text, 10, f.Prec(), big.ToNearestEven)
		if err != nil || back.Cmp(f) != 0 {
			t.Fatalf("%q reads back as %v, not %v", text, back, f)
		}
		if f.IsInt() && strings.ContainsAny(text, ".eE") {
			t.Fatalf("the integer %v came out as %q", f, text)
		}
	}
	for _, s := range []string{"3", "-0", "0.1", "5.0", "12345678901234567890", "1e400", "-1.5e-7",
		"0.30000000000000000000000000000000000001"} {
		f, _, _ := big.ParseFloat(s, 10, 512, big.ToNearestEven)
		check(f)
	}
	for i := 0; i < 3000; i++ {
		check(new(big.Float).SetInt64(rng.Int64() - math.MaxInt64/2))
		check(big.NewFloat(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))))
		s := fmt.Sprintf("%d.%de%d", rng.Int64(), rng.Int64(), rng.IntN(100)-50)
		f, _, _ := big.ParseFloat(s, 10, 512, big.ToNearestEven)
		check(f)
	}
	if v, _ := jsonValue(types.NumberValue(big.NewFloat(3)), "n"); v != json.Number("3") {
		t.Errorf("3 came out as %v", v)
	}
}

func TestSetVariableDefaultsFunction_Definition(t *testing.T) {
	checkDefinition(t, NewSetVariableDefaultsFunction(), "set_variable_defaults", "base_job_template", "defaults")
}

// Through the Terraform CLI: every error class on its argument, the values
// a platform team sets, numbers exact, and the current-defaults round trip.
func TestAccSetVariableDefaultsFunction(t *testing.T) {
	docker := jobTemplatePath(t, "docker.json")
	kubernetes := jobTemplatePath(t, "kubernetes.json")
	enumRefs := jobTemplatePath(t, "kubernetes-enum-refs.json")
	ecs := jobTemplatePath(t, "ecs.json")
	process := jobTemplatePath(t, "process.json")
	errorStep := func(call, want string) resource.TestStep {
		return resource.TestStep{
			Config:      "output \"x\" {\n  value = " + call + "\n}\n",
			ExpectError: regexp.MustCompile(want),
		}
	}
	words := func(s string) string { return strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`) }

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{
			// Error steps first: the post-test destroy runs the last step's config.
			errorStep(`provider::prefectimage::set_variable_defaults("{\"variables\": ", { image = "prefecthq/prefect:3-latest" })`,
				`Invalid value for "base_job_template" parameter:(.|\s)*`+words("not valid JSON")),
			errorStep(`provider::prefectimage::set_variable_defaults(jsonencode({ job_configuration = {} }), { env = {} })`,
				`Invalid value for "base_job_template" parameter:(.|\s)*`+words("has no variables, so it has no job variables to set")),
			errorStep(`provider::prefectimage::set_variable_defaults(jsonencode({ variables = { properties = { p = { "$ref" = "#/definitions/P" } } } }), { p = 1 })`,
				`Invalid value for "base_job_template" parameter:(.|\s)*`+words(`$ref "#/definitions/P" that does not resolve`)),
			errorStep(fmt.Sprintf(`provider::prefectimage::set_variable_defaults(file(%q), { imagePullPolicy = "Always" })`, docker),
				`Invalid value for "defaults" parameter:(.|\s)*`+words(`has no job variable "imagePullPolicy" (did you mean image_pull_policy for imagePullPolicy?)`)),
			errorStep(fmt.Sprintf(`provider::prefectimage::set_variable_defaults(file(%q), { image = %q })`, process, sidRef),
				`Invalid value for "defaults" parameter:(.|\s)*`+words("its job variables are command, env, labels, name, stream_output, working_dir")),
			errorStep(fmt.Sprintf(`provider::prefectimage::set_variable_defaults(file(%q), { image_pull_policy = "Sometimes" })`, enumRefs),
				`Invalid value for "defaults" parameter:(.|\s)*`+words(`refuses the string "Sometimes": it allows one of "IfNotPresent", "Always", "Never"`)),
			errorStep(fmt.Sprintf(`provider::prefectimage::set_variable_defaults(file(%q), { env = { PORT = 8080 } })`, kubernetes),
				`Invalid value for "defaults" parameter:(.|\s)*`+words(`refuses env.PORT, the number 8080: it allows a string or null there`)),
			errorStep(fmt.Sprintf(`provider::prefectimage::set_variable_defaults(file(%q), { cpu = "1024" })`, ecs),
				`Invalid value for "defaults" parameter:(.|\s)*`+words(`refuses the string "1024": it allows an integer or null; write it as a number, 1024, without quotes`)),
			errorStep(fmt.Sprintf(`provider::prefectimage::set_variable_defaults(file(%q), { image = "prefecthq/prefect" })`, docker),
				`Invalid value for "defaults" parameter:(.|\s)*`+words("neither a tag nor a digest")),
			errorStep(fmt.Sprintf(`provider::prefectimage::set_variable_defaults(file(%q), "IfNotPresent")`, docker),
				`Invalid value for "defaults" parameter:(.|\s)*`+words("defaults is a string, not an object")),
			errorStep(fmt.Sprintf(`provider::prefectimage::set_variable_defaults(file(%q), null)`, docker),
				`Invalid function argument(.|\s)*defaults`),
			{
				Config: fmt.Sprintf(`
locals {
  original = file(%[1]q)
  result = provider::prefectimage::set_variable_defaults(local.original, {
    image             = %[2]q
    image_pull_policy = "IfNotPresent"
    env               = { EXTRA_PIP_PACKAGES = "pandas==2.2.3 s3fs", PREFECT_LOGGING_LEVEL = "DEBUG" }
    namespace         = "flows"
    backoff_limit     = 3
    finished_job_ttl  = 600
    stream_output     = false
    cluster_config    = null
  })
  before = jsondecode(local.original)
  after  = jsondecode(local.result)
}

output "image" {
  value = local.after.variables.properties.image.default
}

output "env" {
  value = local.after.variables.properties.env.default
}

output "backoff_limit" {
  value = local.after.variables.properties.backoff_limit.default
}

output "cluster_config_has_default" {
  value = contains(keys(local.after.variables.properties.cluster_config), "default")
}

output "job_configuration_unchanged" {
  value = local.after.job_configuration == local.before.job_configuration
}

output "definitions_unchanged" {
  value = local.after.variables.definitions == local.before.variables.definitions
}

# Integers stay integers, and the text is what jsonencode would write.
output "integers" {
  value = strcontains(local.result, "\"default\":3,") && strcontains(local.result, "\"default\":600,")
}

output "as_jsonencode" {
  value = local.result == jsonencode(local.after)
}
`, kubernetes, sidTaggedRef),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("image", knownvalue.StringExact(sidTaggedRef)),
					statecheck.ExpectKnownOutputValue("env", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"EXTRA_PIP_PACKAGES":    knownvalue.StringExact("pandas==2.2.3 s3fs"),
						"PREFECT_LOGGING_LEVEL": knownvalue.StringExact("DEBUG"),
					})),
					statecheck.ExpectKnownOutputValue("backoff_limit", knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownOutputValue("cluster_config_has_default", knownvalue.Bool(false)),
					statecheck.ExpectKnownOutputValue("job_configuration_unchanged", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("definitions_unchanged", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("integers", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("as_jsonencode", knownvalue.Bool(true)),
				},
			},
			{
				// Numbers exact: no float64 on the way. A map, a set and
				// a list are JSON arrays and objects.
				Config: `
locals {
  template = jsonencode({
    variables = { properties = {
      big   = { type = "integer" }
      tenth = { type = "number" }
      huge  = { type = "number" }
      neg   = { type = "number" }
      tags  = { type = "array", items = { type = "string" } }
      env   = { type = "object", additionalProperties = { type = "string" } }
    } }
  })
}

output "result" {
  value = provider::prefectimage::set_variable_defaults(local.template, {
    big   = 12345678901234567890
    tenth = 0.1
    huge  = 1e40
    neg   = -1.5e-7
    tags  = toset(["b", "a"])
    env   = tomap({ A = "1" })
  })
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("result", knownvalue.StringExact(`{"variables":{"properties":{`+
						`"big":{"default":12345678901234567890,"type":"integer"},`+
						`"env":{"additionalProperties":{"type":"string"},"default":{"A":"1"},"type":"object"},`+
						`"huge":{"default":10000000000000000000000000000000000000000,"type":"number"},`+
						`"neg":{"default":-0.00000015,"type":"number"},`+
						`"tags":{"default":["a","b"],"items":{"type":"string"},"type":"array"},`+
						`"tenth":{"default":0.1,"type":"number"}}}}`)),
				},
			},
			{
				// Property: each variable's current default, set again,
				// gives back the same template (by value: Terraform reads
				// ECS's 5.0 as 5).
				Config: fmt.Sprintf(`
locals {
  templates = { docker = file(%[1]q), kubernetes = file(%[2]q), ecs = file(%[3]q), enum_refs = file(%[4]q) }
  same = {
    for name, text in local.templates : name => jsondecode(provider::prefectimage::set_variable_defaults(text, {
      for k, v in jsondecode(text).variables.properties : k => v.default if try(v.default, null) != null
    })) == jsondecode(text)
  }
}

output "same" {
  value = local.same
}
`, docker, kubernetes, ecs, enumRefs),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("same", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"docker": knownvalue.Bool(true), "kubernetes": knownvalue.Bool(true),
						"ecs": knownvalue.Bool(true), "enum_refs": knownvalue.Bool(true),
					})),
				},
			},
			{
				// A value known only after apply: the call waits for it;
				// set_image_default is the one-variable case.
				Config: fmt.Sprintf(`
resource "terraform_data" "pin" {
  input = %[2]q
}

locals {
  both = provider::prefectimage::set_variable_defaults(file(%[1]q), {
    image             = terraform_data.pin.output
    image_pull_policy = "IfNotPresent"
  })
}

output "image" {
  value = jsondecode(local.both).variables.properties.image.default
}

output "policy" {
  value = jsondecode(local.both).variables.properties.image_pull_policy.default
}

output "same_as_set_image_default" {
  value = provider::prefectimage::set_variable_defaults(file(%[1]q), { image = terraform_data.pin.output }) == provider::prefectimage::set_image_default(file(%[1]q), terraform_data.pin.output)
}
`, docker, sidRef),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("image", knownvalue.StringExact(sidRef)),
					statecheck.ExpectKnownOutputValue("policy", knownvalue.StringExact("IfNotPresent")),
					statecheck.ExpectKnownOutputValue("same_as_set_image_default", knownvalue.Bool(true)),
				},
			},
		},
	})
}

// A module input typed with optional() attributes hands the function nulls
// for the attributes left out. Where the template's schema writes the member
// as pydantic v1 wrote an Optional field (cloud-run's GcpCredentials), Prefect
// and the worker take the null, and so does the function; a null the schema
// refuses (a registry credential's username) still fails the plan.
func TestAccSetVariableDefaultsFunction_optionalAttributes(t *testing.T) {
	cloudRun := jobTemplatePath(t, "cloud-run.json")
	docker := jobTemplatePath(t, "docker.json")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
variable "registry" {
  type = object({
    username     = optional(string)
    password     = string
    registry_url = string
  })
  default = { password = "p", registry_url = "ghcr.io" }
}

output "x" {
  value = provider::prefectimage::set_variable_defaults(file(%q), { registry_credentials = var.registry })
}
`, docker),
				ExpectError: regexp.MustCompile(`refuses\s+registry_credentials.username,\s+null:\s+it\s+allows\s+a\s+string\s+there`),
			},
			{
				Config: fmt.Sprintf(`
variable "gcp" {
  type = object({
    project              = string
    service_account_file = optional(string)
  })
  default = { project = "acme-flows" }
}

output "credentials" {
  value = jsondecode(provider::prefectimage::set_variable_defaults(file(%q), { credentials = var.gcp })).variables.properties.credentials.default
}
`, cloudRun),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("credentials", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"project":              knownvalue.StringExact("acme-flows"),
						"service_account_file": knownvalue.Null(),
					})),
				},
			},
		},
	})
}
