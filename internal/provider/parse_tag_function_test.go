package provider

import (
	"context"
	"regexp"
	"slices"
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

// parsed builds parse_tag's expected object; "" and nil stand for null.
func parsed(kind, prefectVersion, pythonVersion, flavor string, prerelease *bool) attr.Value {
	str := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	pre := types.BoolNull()
	if prerelease != nil {
		pre = types.BoolValue(*prerelease)
	}
	return types.ObjectValueMust(parseTagAttrTypes, map[string]attr.Value{
		"kind":            types.StringValue(kind),
		"prefect_version": str(prefectVersion),
		"python_version":  str(pythonVersion),
		"flavor":          types.StringValue(flavor),
		"prerelease":      pre,
	})
}

func ptr[T any](v T) *T { return &v }

func runParseTag(t *testing.T, tag string) function.RunResponse {
	t.Helper()
	resp := function.RunResponse{Result: function.NewResultData(types.ObjectUnknown(parseTagAttrTypes))}
	NewParseTagFunction().Run(context.Background(), function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(tag)}),
	}, &resp)
	return resp
}

// Every kind of tag maps onto the five attributes, with null for what the
// kind does not tell: moving tags are stable (prerelease false), a sha tag's
// prerelease is unknown (null).
func TestParseTagFunction_Run(t *testing.T) {
	tests := []struct {
		tag  string
		want attr.Value
	}{
		{"3.1.15-python3.12", parsed("release", "3.1.15", "3.12", "standard", ptr(false))},
		{"3.1.15-python3.12-conda", parsed("release", "3.1.15", "3.12", "conda", ptr(false))},
		{"3.1.15-python3.9-kubernetes", parsed("release", "3.1.15", "3.9", "kubernetes", ptr(false))},
		{"3.0.0rc14-python3.11-conda", parsed("release", "3.0.0rc14", "3.11", "conda", ptr(true))},
		{"3.1.16.dev2-python3.12", parsed("release", "3.1.16.dev2", "3.12", "standard", ptr(true))},
		{"2.0b8-python3.9", parsed("release", "2.0b8", "3.9", "standard", ptr(true))},
		{"2.6.9.post1-python3.10", parsed("release", "2.6.9.post1", "3.10", "standard", ptr(false))},
		{"1.4.1-python3.7", parsed("release", "1.4.1", "3.7", "standard", ptr(false))},
		{"3.4.25-python3.14", parsed("release", "3.4.25", "3.14", "standard", ptr(false))},
		{"3.1-python3.12", parsed("minor", "3.1", "3.12", "standard", ptr(false))},
		{"2.20-python3.11-kubernetes", parsed("minor", "2.20", "3.11", "kubernetes", ptr(false))},
		{"3-python3.12", parsed("major", "3", "3.12", "standard", ptr(false))},
		{"3-python3.12-kubernetes", parsed("major", "3", "3.12", "kubernetes", ptr(false))},
		{"3-latest", parsed("latest", "3", "", "standard", ptr(false))},
		{"2-latest-conda", parsed("latest", "2", "", "conda", ptr(false))},
		{"3-latest-python3.12", parsed("latest", "3", "3.12", "standard", ptr(false))},
		{"3-latest-python3.11-kubernetes", parsed("latest", "3", "3.11", "kubernetes", ptr(false))},
		{"sha-1da1544-python3.12", parsed("sha", "", "3.12", "standard", nil)},
		{"sha-1da1544-python3.12-conda", parsed("sha", "", "3.12", "conda", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			resp := runParseTag(t, tt.tag)
			if resp.Error != nil {
				t.Fatalf("error: %s", resp.Error)
			}
			if want := function.NewResultData(tt.want); !resp.Result.Equal(want) {
				t.Errorf("got %s\nwant %s", resp.Result.Value(), tt.want)
			}
		})
	}
}

// A string that is not a Prefect tag is an error on argument 0 that says
// which part is wrong.
func TestParseTagFunction_RunErrors(t *testing.T) {
	tests := []struct {
		tag      string
		contains []string
	}{
		{"", []string{`"" is not a Prefect image tag`, "empty"}},
		{"latest", []string{"Prefect 1.x"}},
		{"3.1.15", []string{`no "-python<X.Y>" part`}},
		{"3.1", []string{`no "-python<X.Y>" part`, "3.1-python3.12"}},
		{"v3.1.15-python3.12", []string{`"v3.1.15-python3.12" is not a Prefect image tag`}},
		{"3.1.15-python3.12-standard", []string{`drop "-standard"`}},
		{"3.1.15-conda-python3.12", []string{"Python part comes before the flavor"}},
		{"3.1.15-python3.12-slim", []string{`unknown flavor "slim"`}},
		{"3.0.0-rc14-python3.12", []string{"PEP 440 normal form"}},
		{"sha-XYZ-python3.12", []string{"7 lowercase hex digits"}},
		{"sha-88a7ff17a3435ec33c95c0323b8f05d7b9f3f6d2-python3.10", []string{"first 7 digits only: sha-88a7ff1-"}},
		{"0.7.5-python3.12-prefect3.6.20", []string{"integration image (prefecthq/prefect-aws, -gcp or -azure)"}},
		{"3-latest-python3.12-conda-extra", []string{`unexpected "extra"`}},
		{"prefecthq/prefect:3.1.15-python3.12", []string{"not a Prefect image tag", "pass the tag alone"}},
		{"3.1.15-python3.12@sha256:abc", []string{"pass the tag alone"}},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			resp := runParseTag(t, tt.tag)
			checkFunctionError(t, resp, 0, tt.contains...)
		})
	}
}

// The definition is valid and documents the function and its parameter.
func TestParseTagFunction_Definition(t *testing.T) {
	checkDefinition(t, NewParseTagFunction(), "parse_tag", "tag")
}

// checkFunctionError checks that a function call failed on argument arg
// with an error holding every one of contains, and left its result as it
// was (unknown): nothing half-done.
func checkFunctionError(t *testing.T, resp function.RunResponse, arg int64, contains ...string) {
	t.Helper()
	if resp.Error == nil {
		t.Fatalf("no error; result %s", resp.Result.Value())
	}
	if resp.Error.FunctionArgument == nil || *resp.Error.FunctionArgument != arg {
		t.Errorf("error on argument %v, want %d: %s", resp.Error.FunctionArgument, arg, resp.Error.Text)
	}
	for _, s := range contains {
		if !strings.Contains(resp.Error.Text, s) {
			t.Errorf("error %q lacks %q", resp.Error.Text, s)
		}
	}
	if !resp.Result.Value().IsUnknown() {
		t.Errorf("result set alongside an error: %s", resp.Result.Value())
	}
}

// checkDefinition checks that f is named name, that its definition is
// valid, that its parameters are params in order, and that it is
// documented (checkDocumented).
func checkDefinition(t *testing.T, f function.Function, name string, params ...string) {
	t.Helper()
	ctx := context.Background()
	var meta function.MetadataResponse
	f.Metadata(ctx, function.MetadataRequest{}, &meta)
	if meta.Name != name {
		t.Errorf("name %q, want %q", meta.Name, name)
	}
	var def function.DefinitionResponse
	f.Definition(ctx, function.DefinitionRequest{}, &def)
	var v function.DefinitionValidateResponse
	def.Definition.ValidateImplementation(ctx, function.DefinitionValidateRequest{FuncName: meta.Name}, &v)
	if def.Diagnostics.HasError() || v.Diagnostics.HasError() {
		t.Fatalf("definition: %v %v", def.Diagnostics, v.Diagnostics)
	}
	var got []string
	for _, p := range def.Definition.Parameters {
		got = append(got, p.GetName())
	}
	if !slices.Equal(got, params) {
		t.Errorf("parameters %q, want %q", got, params)
	}
	checkDocumented(t, def.Definition)
}

// checkDocumented: summary and every description are full sentences.
func checkDocumented(t *testing.T, d function.Definition) {
	t.Helper()
	sentence := func(what, s string) {
		if s == "" || !strings.HasSuffix(s, ".") || strings.ToUpper(s[:1]) != s[:1] {
			t.Errorf("%s is not a full sentence: %q", what, s)
		}
	}
	sentence("Summary", d.Summary)
	sentence("MarkdownDescription", d.MarkdownDescription)
	for _, p := range d.Parameters {
		sentence("parameter "+p.GetName(), p.GetMarkdownDescription())
	}
}

// Through the Terraform CLI: the function needs no provider block, and its
// null attributes come out as nulls.
func TestAccParseTagFunction(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_8_0),
		},
		Steps: []resource.TestStep{
			// Error steps first: the post-test destroy runs the last step's config.
			{
				Config: `
output "bad" {
  value = provider::prefectimage::parse_tag("3.1.15")
}
`,
				ExpectError: regexp.MustCompile(`Invalid value for "tag" parameter:\s+"3.1.15" is\s+not\s+a\s+Prefect\s+image\s+tag:\s+no\s+"-python<X.Y>"\s+part`),
			},
			{
				Config: `
output "ref" {
  value = provider::prefectimage::parse_tag("prefecthq/prefect:3-latest")
}
`,
				ExpectError: regexp.MustCompile(`pass\s+the\s+tag\s+alone`),
			},
			{
				Config: `
output "release" {
  value = provider::prefectimage::parse_tag("3.1.15-python3.12-conda")
}

output "rc" {
  value = provider::prefectimage::parse_tag("3.0.0rc14-python3.11")
}

output "latest" {
  value = provider::prefectimage::parse_tag("3-latest")
}

output "minor" {
  value = provider::prefectimage::parse_tag("3.1-python3.12-kubernetes")
}

output "major" {
  value = provider::prefectimage::parse_tag("3-python3.12")
}

output "sha" {
  value = provider::prefectimage::parse_tag("sha-1da1544-python3.12")
}

# A condition on a moving tag's prerelease flag does not fail: it is false.
output "latest_is_stable" {
  value = !provider::prefectimage::parse_tag("3-latest").prerelease
}

output "sha_prerelease_is_null" {
  value = provider::prefectimage::parse_tag("sha-1da1544-python3.12").prerelease == null
}

# Attributes are usable in expressions, as a work pool label would use them.
output "label" {
  value = "prefect-${replace(provider::prefectimage::parse_tag("3.1.15-python3.12").prefect_version, ".", "-")}"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("release", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kind":            knownvalue.StringExact("release"),
						"prefect_version": knownvalue.StringExact("3.1.15"),
						"python_version":  knownvalue.StringExact("3.12"),
						"flavor":          knownvalue.StringExact("conda"),
						"prerelease":      knownvalue.Bool(false),
					})),
					statecheck.ExpectKnownOutputValue("rc", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kind":            knownvalue.StringExact("release"),
						"prefect_version": knownvalue.StringExact("3.0.0rc14"),
						"python_version":  knownvalue.StringExact("3.11"),
						"flavor":          knownvalue.StringExact("standard"),
						"prerelease":      knownvalue.Bool(true),
					})),
					statecheck.ExpectKnownOutputValue("latest", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kind":            knownvalue.StringExact("latest"),
						"prefect_version": knownvalue.StringExact("3"),
						"python_version":  knownvalue.Null(),
						"flavor":          knownvalue.StringExact("standard"),
						"prerelease":      knownvalue.Bool(false),
					})),
					statecheck.ExpectKnownOutputValue("minor", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kind":            knownvalue.StringExact("minor"),
						"prefect_version": knownvalue.StringExact("3.1"),
						"python_version":  knownvalue.StringExact("3.12"),
						"flavor":          knownvalue.StringExact("kubernetes"),
						"prerelease":      knownvalue.Bool(false),
					})),
					statecheck.ExpectKnownOutputValue("major", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kind":            knownvalue.StringExact("major"),
						"prefect_version": knownvalue.StringExact("3"),
						"python_version":  knownvalue.StringExact("3.12"),
						"flavor":          knownvalue.StringExact("standard"),
						"prerelease":      knownvalue.Bool(false),
					})),
					statecheck.ExpectKnownOutputValue("sha", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kind":            knownvalue.StringExact("sha"),
						"prefect_version": knownvalue.Null(),
						"python_version":  knownvalue.StringExact("3.12"),
						"flavor":          knownvalue.StringExact("standard"),
						"prerelease":      knownvalue.Null(),
					})),
					statecheck.ExpectKnownOutputValue("label", knownvalue.StringExact("prefect-3-1-15")),
					statecheck.ExpectKnownOutputValue("latest_is_stable", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("sha_prerelease_is_null", knownvalue.Bool(true)),
				},
			},
			{
				// An argument known only after apply: the call waits for it.
				Config: `
resource "terraform_data" "tag" {
  input = "3.2.0-python3.13-kubernetes"
}

output "from_resource" {
  value = provider::prefectimage::parse_tag(terraform_data.tag.output)
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("from_resource", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kind":            knownvalue.StringExact("release"),
						"prefect_version": knownvalue.StringExact("3.2.0"),
						"python_version":  knownvalue.StringExact("3.13"),
						"flavor":          knownvalue.StringExact("kubernetes"),
						"prerelease":      knownvalue.Bool(false),
					})),
				},
			},
		},
	})
}
