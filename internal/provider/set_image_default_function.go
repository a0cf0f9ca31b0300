package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/jobtemplate"
)

var _ function.Function = (*setImageDefaultFunction)(nil)

type setImageDefaultFunction struct{}

// NewSetImageDefaultFunction returns the set_image_default function.
func NewSetImageDefaultFunction() function.Function {
	return &setImageDefaultFunction{}
}

func (f *setImageDefaultFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "set_image_default"
}

func (f *setImageDefaultFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Sets the default image of a Prefect work pool base job template.",
		MarkdownDescription: "Takes a Prefect work pool base job template as JSON text and returns it with " +
			"`variables.properties.image.default` set to `image`, so that every flow run of the work pool uses " +
			"that image unless its deployment overrides it. " +
			"The template is what `prefect work-pool get-default-base-job-template --type docker` prints (or " +
			"`kubernetes`, `ecs`, `cloud-run`), or what `prefect_work_pool.base_job_template` holds. " +
			"Everything else in the template is kept as it was: numbers keep their exact text, strings their " +
			"content. The result is compact JSON with its object keys sorted, as `jsonencode` writes it except " +
			"that `<`, `>` and `&` are not escaped, so feed it to `base_job_template` as it is. " +
			"A UTF-8 byte order mark before the template is skipped. " +
			"A template without `variables.properties.image` (a `process` work pool, say) is an error that says so, " +
			"as is text that is not a JSON object or an image that is not an image reference with a tag or a digest. " +
			"It is the one-variable case of `set_variable_defaults`, which sets any job variable, such as " +
			"`image_pull_policy` or `env`, in the same call. " +
			"When `image` is known only after apply (the `ref` of a pin being created), the plan checks the " +
			"template all the same, and the result is known after apply. " +
			"The function reads no registry and no file.",
		Parameters: []function.Parameter{
			function.StringParameter{
				// Unknown values too, here and for image: the image of a pin
				// being created is known only after apply, and the template
				// is checked in the plan all the same.
				AllowUnknownValues: true,
				Name:               "base_job_template",
				MarkdownDescription: "The work pool's base job template as JSON text, such as " +
					"`file(\"${path.module}/docker-base-job-template.json\")` or `jsonencode(...)` of an object. " +
					"It must be a JSON object with `variables.properties.image`. It may not be null.",
			},
			function.StringParameter{
				AllowUnknownValues: true,
				Name:               "image",
				MarkdownDescription: "The image reference to make the default, with a tag, a digest or both: " +
					"`prefecthq/prefect@sha256:…` (the `ref` attribute of `prefectimage_pin`), " +
					"`prefecthq/prefect:3.1.15-python3.12@sha256:…` (its `tagged_ref`) or " +
					"`prefecthq/prefect:3.1.15-python3.12`. A reference with neither tag nor digest is refused, " +
					"since a work pool's default should be pinned, and so is a digest alone (`sha256:…`, the " +
					"`digest` attribute), which names no repository to pull from. It may not be null.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *setImageDefaultFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var template, image types.String
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &template, &image))
	if resp.Error != nil {
		return
	}
	if template.IsUnknown() || image.IsUnknown() {
		// Check what is known: the image alone, or the template with a
		// stand-in image whose own refusal (the schema's enum, say) is
		// not an error of the template; the result is known after apply.
		var err error
		switch {
		case !image.IsUnknown():
			err = jobtemplate.ValidateImage(image.ValueString())
		case !template.IsUnknown():
			var te *jobtemplate.TemplateError
			if _, e := jobtemplate.SetImageDefault(template.ValueString(), "prefecthq/prefect:known-after-apply"); errors.As(e, &te) {
				err = e
			}
		}
		if err != nil {
			resp.Error = function.ConcatFuncErrors(resp.Error, jobTemplateFuncError(err))
			return
		}
		resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, types.StringUnknown()))
		return
	}

	out, err := jobtemplate.SetImageDefault(template.ValueString(), image.ValueString())
	if err != nil {
		resp.Error = function.ConcatFuncErrors(resp.Error, jobTemplateFuncError(err))
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, out))
}
