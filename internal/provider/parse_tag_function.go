package provider

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
)

var _ function.Function = (*parseTagFunction)(nil)

// parseTagAttrTypes is the object parse_tag returns.
var parseTagAttrTypes = map[string]attr.Type{
	"kind":            types.StringType,
	"prefect_version": types.StringType,
	"python_version":  types.StringType,
	"flavor":          types.StringType,
	"prerelease":      types.BoolType,
}

type parseTagFunction struct{}

// NewParseTagFunction returns the parse_tag function.
func NewParseTagFunction() function.Function {
	return &parseTagFunction{}
}

func (f *parseTagFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_tag"
}

func (f *parseTagFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Parses a Prefect image tag into its kind, Prefect version, Python version, flavor and prerelease flag.",
		MarkdownDescription: "Parses a tag of `prefecthq/prefect` or `prefecthq/prefect-client`, such as " +
			"`3.1.15-python3.12-conda`, and returns an object with five attributes. " +
			"`kind` is `release` (a full version, `3.1.15-python3.12`), `minor` (`3.1-python3.12`, moves with each " +
			"stable 3.1.z), `major` (`3-python3.12`), `latest` (`3-latest`, `3-latest-conda`) or `sha` " +
			"(`sha-1da1544-python3.12`, one commit's build). " +
			"`prefect_version` is the version the tag names: `3.1.15` or `3.0.0rc14` for a release, `3.1` for a " +
			"minor tag, `3` for a major or latest tag, and null for a sha tag. " +
			"`python_version` is the Python of the tag, such as `3.12`, and null for a latest tag that names none " +
			"(`3-latest`). " +
			"`flavor` is `standard`, `conda` or `kubernetes`; it is always set, `standard` when the tag has no suffix. " +
			"`prerelease` is true for a release whose version has an `a`, `b`, `rc` or `.dev` part and false for any " +
			"other release; it is false for minor, major and latest tags, which move only on stable releases, so " +
			"that `!provider::prefectimage::parse_tag(t).prerelease` holds for `3-latest`; and null for a sha tag, " +
			"which names a commit rather than a version. " +
			"A string that is not a Prefect image tag is an error that says which part is wrong. " +
			"The function reads no registry: it only parses the string.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: "tag",
				MarkdownDescription: "The tag to parse, without the repository: `3.1.15-python3.12`, not " +
					"`prefecthq/prefect:3.1.15-python3.12`. The `tag` attribute of `prefectimage_pin` is one. " +
					"It may not be null.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: parseTagAttrTypes},
	}
}

// maxImageTagLen is the longest tag the distribution spec allows.
const maxImageTagLen = 128

// truncateUTF8 is s cut to at most n bytes, not inside a UTF-8 sequence.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (f *parseTagFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var tag string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &tag))
	if resp.Error != nil {
		return
	}

	// A tag is at most 128 characters; a longer string is quoted in part,
	// not three times whole (the parser's message names the tag, its
	// version and the number at fault, each in full).
	if n := utf8.RuneCountInString(tag); n > maxImageTagLen {
		resp.Error = function.ConcatFuncErrors(resp.Error, function.NewArgumentFuncError(0, fmt.Sprintf(
			"%q… (%d characters) is not a Prefect image tag: an image tag is at most %d characters",
			truncateUTF8(tag, 40), n, maxImageTagLen)))
		return
	}

	parsed, err := prefecttag.ParseTag(tag)
	if err != nil {
		msg := err.Error()
		if strings.ContainsAny(tag, "/:@") {
			msg += "; pass the tag alone, the part after the colon of an image reference, such as the tag " +
				"attribute of prefectimage_pin"
		}
		resp.Error = function.ConcatFuncErrors(resp.Error, function.NewArgumentFuncError(0, msg))
		return
	}

	result, diags := types.ObjectValue(parseTagAttrTypes, parseTagResult(parsed))
	resp.Error = function.ConcatFuncErrors(resp.Error, function.FuncErrorFromDiags(ctx, diags))
	if resp.Error != nil {
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, result))
}

// parseTagResult converts a parsed tag into parse_tag's attributes; what the
// tag's kind does not tell is null.
func parseTagResult(t prefecttag.Tag) map[string]attr.Value {
	prefectVersion := types.StringNull()
	if t.HasVersion {
		prefectVersion = types.StringValue(t.Version.String())
	}
	pythonVersion := types.StringNull()
	if t.HasPython {
		pythonVersion = types.StringValue(t.Python.String())
	}
	flavor := string(t.Flavor)
	if flavor == "" {
		flavor = string(prefecttag.FlavorStandard)
	}
	// Minor, major and latest tags move only on stable releases, so they are
	// never prereleases; a sha tag names a commit, not a version: unknown.
	prerelease := types.BoolNull()
	switch t.Kind {
	case prefecttag.KindRelease:
		prerelease = types.BoolValue(t.Version.IsPrerelease())
	case prefecttag.KindMinor, prefecttag.KindMajor, prefecttag.KindLatest:
		prerelease = types.BoolValue(false)
	}
	return map[string]attr.Value{
		"kind":            types.StringValue(string(t.Kind)),
		"prefect_version": prefectVersion,
		"python_version":  pythonVersion,
		"flavor":          types.StringValue(flavor),
		"prerelease":      prerelease,
	}
}
