package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/jobtemplate"
)

var _ function.Function = (*setVariableDefaultsFunction)(nil)

type setVariableDefaultsFunction struct{}

// NewSetVariableDefaultsFunction returns the set_variable_defaults function.
func NewSetVariableDefaultsFunction() function.Function {
	return &setVariableDefaultsFunction{}
}

func (f *setVariableDefaultsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "set_variable_defaults"
}

func (f *setVariableDefaultsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Sets the defaults of job variables in a Prefect work pool base job template.",
		MarkdownDescription: "Takes a Prefect work pool base job template as JSON text and returns it with the `default` " +
			"of each job variable named in `defaults` set to its value, so that every flow run of the work pool " +
			"uses those values unless its deployment overrides them. " +
			"Job variables are the members of the template's `variables.properties`: `image`, " +
			"`image_pull_policy`, `env`, `namespace`, `cpu` and so on, depending on the work pool type. " +
			"A null value removes that variable's default. " +
			"Each value is checked against the variable's own schema in the template, in the part of JSON Schema " +
			"that Prefect's templates use: `type`, `enum`, `const`, `properties`, `patternProperties`, " +
			"`additionalProperties`, `items`, `prefixItems`, `$ref` into `definitions` or `$defs`, `allOf`, " +
			"`anyOf`, `oneOf` (as `anyOf`: a value more than one choice takes is left to the worker) and the schemas " +
			"`true` (any value) and `false` (none: such a variable can have no default); other keywords, such as " +
			"`pattern`, `minimum` or `required`, are left to the worker. " +
			"An object with a `$ref` member is a reference to a block document, as Prefect reads it anywhere in a " +
			"value: it must be `{ \"$ref\" = { block_document_id = prefect_block.x.id } }`, a UUID and nothing beside, " +
			"and stands for the block's fields where the schema is a block's (`AwsCredentials`, `GcpCredentials`). " +
			"A member of an object that is not in its schema's `required` and has a `type` but no `default` also accepts null, " +
			"as Prefect reads it: pydantic v1 wrote `Optional` fields so (`GcpCredentials.project`), and an HCL object " +
			"with `optional()` attributes fills in such nulls. " +
			"An `image` string must be an image reference with a tag or a digest, as for `set_image_default`, " +
			"which is the one-variable case of this function; a Prefect template placeholder (`{{ prefect.variables.x }}`) " +
			"is refused, since the worker would fill it in for each flow run and the default would not be pinned. " +
			"Everything else in the template is kept as it was: numbers keep their exact text, strings their " +
			"content, and numbers in `defaults` are written exactly as Terraform holds them, without rounding, " +
			"integers without a decimal point. The result is compact JSON with its object keys sorted, as " +
			"`jsonencode` writes it except that `<`, `>` and `&` are not escaped, so feed it to " +
			"`base_job_template` as it is. A UTF-8 byte order mark before the template is skipped. " +
			"A name that is not a job variable of the template is an error that lists the template's variables; " +
			"a value the schema refuses is an error that names the variable, the place in the value and what the " +
			"schema allows there; it quotes the refused value only when it is a number, a bool, or a string the schema " +
			"should have had as one of its listed values or as a number, since a function is not told which of its " +
			"arguments are sensitive. When `defaults` is known only in part at plan time (the `ref` of a pin being " +
			"created), the plan checks the values already known and the known parts of a value known only in part " +
			"(the other members of `env`, say), and what is not yet known by its name alone; the result is then known " +
			"after apply. The function reads no registry and no file.",
		Parameters: []function.Parameter{
			function.StringParameter{
				// Unknown values too, here and for defaults: a plan whose
				// defaults are partly known only after apply (the image of a
				// pin being created) checks the known part, so that a value
				// the template refuses fails the plan, not the apply after
				// other resources were changed.
				AllowUnknownValues: true,
				Name:               "base_job_template",
				MarkdownDescription: "The work pool's base job template as JSON text, such as " +
					"`data.prefect_worker_metadata.defaults.base_job_configs.kubernetes`, " +
					"`file(\"${path.module}/base-job-template.json\")` or `jsonencode(...)` of an object. " +
					"It must be a JSON object with `variables.properties`. It may not be null.",
			},
			function.DynamicParameter{
				AllowUnknownValues: true,
				Name:               "defaults",
				MarkdownDescription: "An object whose attribute names are job variable names and whose values " +
					"are the defaults to set: strings, numbers, bools, objects or maps (such as " +
					"`env = { EXTRA_PIP_PACKAGES = \"pandas==2.2.3\" }`), lists, or null to remove a default. " +
					"A map works as well. It may not be null; `{}` changes nothing.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *setVariableDefaultsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var template types.String
	var defaults types.Dynamic
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &template, &defaults))
	if resp.Error != nil {
		return
	}
	if template.IsUnknown() {
		// Nothing can be checked against a template not known yet but the
		// defaults' shape and a known image, as set_image_default checks
		// its image: the one is the other with { image = image }.
		if !defaults.IsUnknown() && !defaults.IsUnderlyingValueUnknown() {
			values, _, err := defaultsValues(defaults)
			if image, ok := values["image"].(string); err == nil && ok {
				err = jobtemplate.ValidateImage(image)
			}
			if err != nil {
				resp.Error = function.ConcatFuncErrors(resp.Error, function.NewArgumentFuncError(1, err.Error()))
				return
			}
		}
		resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, types.StringUnknown()))
		return
	}

	values := map[string]any{}
	partial := defaults.IsUnknown() || defaults.IsUnderlyingValueUnknown()
	if !partial {
		var err error
		values, partial, err = defaultsValues(defaults)
		if err != nil {
			resp.Error = function.ConcatFuncErrors(resp.Error, function.NewArgumentFuncError(1, err.Error()))
			return
		}
	}
	// With defaults partly unknown, the template and the known values are
	// checked all the same (what is not known yet only by its name, and
	// the known members and items around it), and the result is known
	// after apply.
	out, err := jobtemplate.SetVariableDefaults(template.ValueString(), values)
	if err != nil {
		resp.Error = function.ConcatFuncErrors(resp.Error, jobTemplateFuncError(err))
		return
	}
	if partial {
		resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, types.StringUnknown()))
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, out))
}

// jobTemplateFuncError puts a jobtemplate error on its argument: problems of
// the template on base_job_template (0), problems of what was asked for on
// the second argument (image or defaults).
func jobTemplateFuncError(err error) *function.FuncError {
	var te *jobtemplate.TemplateError
	if errors.As(err, &te) {
		return function.NewArgumentFuncError(0, err.Error())
	}
	return function.NewArgumentFuncError(1, err.Error())
}

// defaultsValues turns the defaults argument, an object or a map, into
// variable name → value as jobtemplate takes it. What is not known yet, a
// whole value or a part of one, is jobtemplate.Unknown, which meets every
// schema, so that the known rest is checked; partial says there was one.
func defaultsValues(defaults types.Dynamic) (values map[string]any, partial bool, err error) {
	var elems map[string]attr.Value
	switch v := defaults.UnderlyingValue().(type) {
	case basetypes.ObjectValue:
		elems = v.Attributes()
	case basetypes.MapValue:
		elems = v.Elements()
	default:
		return nil, false, fmt.Errorf("defaults is %s, not an object; pass an object whose attribute names are job "+
			"variable names, such as { image = prefectimage_pin.flows.ref, image_pull_policy = \"IfNotPresent\" }",
			terraformKind(v))
	}
	values = make(map[string]any, len(elems))
	for name, elem := range elems {
		partial = partial || !whollyKnown(elem)
		v, err := jsonValue(elem, name)
		if err != nil {
			return nil, false, err
		}
		values[name] = v
	}
	return values, partial, nil
}

// whollyKnown says whether v and every value inside it are known.
func whollyKnown(v attr.Value) bool {
	if v == nil || v.IsNull() {
		return true
	}
	if v.IsUnknown() {
		return false
	}
	var elems []attr.Value
	switch v := v.(type) {
	case basetypes.DynamicValue:
		return !v.IsUnderlyingValueUnknown() && whollyKnown(v.UnderlyingValue())
	case basetypes.ObjectValue:
		for _, e := range v.Attributes() {
			elems = append(elems, e)
		}
	case basetypes.MapValue:
		for _, e := range v.Elements() {
			elems = append(elems, e)
		}
	case basetypes.ListValue:
		elems = v.Elements()
	case basetypes.TupleValue:
		elems = v.Elements()
	case basetypes.SetValue:
		elems = v.Elements()
	}
	for _, e := range elems {
		if !whollyKnown(e) {
			return false
		}
	}
	return true
}

// jsonValue converts a Terraform value to what encoding/json decodes with
// UseNumber. A number becomes its exact decimal text, as jsonencode writes
// it: Terraform numbers are arbitrary-precision, and a float64 would turn
// 0.1 or 12345678901234567890 into something else.
func jsonValue(v attr.Value, path string) (any, error) {
	if v == nil || v.IsNull() {
		return nil, nil
	}
	if v.IsUnknown() {
		return jobtemplate.Unknown, nil
	}
	var elems []attr.Value
	switch v := v.(type) {
	case basetypes.DynamicValue:
		if v.IsUnderlyingValueUnknown() {
			return jobtemplate.Unknown, nil
		}
		return jsonValue(v.UnderlyingValue(), path)
	case basetypes.StringValue:
		return v.ValueString(), nil
	case basetypes.BoolValue:
		return v.ValueBool(), nil
	case basetypes.NumberValue:
		n := v.ValueBigFloat()
		if n.IsInf() {
			return nil, fmt.Errorf("defaults.%s is infinite, which JSON cannot hold", path)
		}
		return json.Number(n.Text('f', -1)), nil
	case basetypes.ObjectValue:
		return jsonObject(v.Attributes(), path)
	case basetypes.MapValue:
		return jsonObject(v.Elements(), path)
	case basetypes.ListValue:
		elems = v.Elements()
	case basetypes.TupleValue:
		elems = v.Elements()
	case basetypes.SetValue:
		elems = v.Elements()
	default:
		return nil, fmt.Errorf("defaults.%s is %s, which has no JSON form", path, terraformKind(v))
	}
	list := make([]any, len(elems))
	for i, elem := range elems {
		x, err := jsonValue(elem, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		list[i] = x
	}
	return list, nil
}

func jsonObject(elems map[string]attr.Value, path string) (map[string]any, error) {
	obj := make(map[string]any, len(elems))
	for k, elem := range elems {
		x, err := jsonValue(elem, path+"."+k)
		if err != nil {
			return nil, err
		}
		obj[k] = x
	}
	return obj, nil
}

// terraformKind names a value's type for messages: "a string", "a list".
func terraformKind(v attr.Value) string {
	switch v.(type) {
	case basetypes.StringValue:
		return "a string"
	case basetypes.NumberValue:
		return "a number"
	case basetypes.BoolValue:
		return "a bool"
	case basetypes.ListValue, basetypes.TupleValue:
		return "a list"
	case basetypes.SetValue:
		return "a set"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
