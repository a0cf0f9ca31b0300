package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// pinModel is the selector and its results, shared by the data source and
// the resource. Fields are in schema order.
type pinModel struct {
	Repository        types.String `tfsdk:"repository"`
	PrefectVersion    types.String `tfsdk:"prefect_version"`
	PythonVersion     types.String `tfsdk:"python_version"`
	Flavor            types.String `tfsdk:"flavor"`
	AllowPrereleases  types.Bool   `tfsdk:"allow_prereleases"`
	Tag               types.String `tfsdk:"tag"`
	Platform          types.String `tfsdk:"platform"`
	RequiredPlatforms types.List   `tfsdk:"required_platforms"`

	Digest                 types.String `tfsdk:"digest"`
	Ref                    types.String `tfsdk:"ref"`
	TaggedRef              types.String `tfsdk:"tagged_ref"`
	ResolvedPrefectVersion types.String `tfsdk:"resolved_prefect_version"`
	ResolvedPythonVersion  types.String `tfsdk:"resolved_python_version"`
	PlatformDigest         types.String `tfsdk:"platform_digest"`
	PlatformRef            types.String `tfsdk:"platform_ref"`
	PlatformDigests        types.Map    `tfsdk:"platform_digests"`
}

// pinAttribute describes one attribute once; dataSourceAttributes and
// resourceAttributes turn the same list into each schema package's types.
type pinAttribute struct {
	name        string
	kind        attrKind
	input       bool // Optional: the user may set it
	computed    bool // the provider fills it in
	description string
	strings     []validator.String
	bools       []validator.Bool
	lists       []validator.List
}

type attrKind int

const (
	kindString attrKind = iota
	kindBool
	kindStringMap
	kindStringList
)

// selectorConflicts: tag names one exact tag, so it excludes every attribute
// that selects among tags.
var selectorConflicts = []path.Expression{
	path.MatchRoot("prefect_version"),
	path.MatchRoot("python_version"),
	path.MatchRoot("flavor"),
	path.MatchRoot("allow_prereleases"),
}

func pinAttributes() []pinAttribute {
	return []pinAttribute{
		{name: "repository", kind: kindString, input: true, computed: true,
			description: "The image repository, spelled as `ref` and `tagged_ref` will spell it: `prefecthq/prefect`, " +
				"`prefecthq/prefect-client`, a mirror such as `ghcr.io/acme/prefect`, or `127.0.0.1:5000/prefecthq/prefect`. " +
				"Defaults to the provider's `repository`.",
			strings: []validator.String{selectorRepositoryValidator}},
		{name: "prefect_version", kind: kindString, input: true,
			description: "A constraint on the Prefect version. Terraform syntax with Terraform's meaning (`3.1.15`, " +
				"`!= 3.2.0`, `>= 3.1, < 3.4`, `~> 3.1` meaning `>= 3.1, < 4.0`, `~> 3.1.0` meaning `>= 3.1.0, < 3.2.0`, " +
				"`~> 3` meaning `>= 3`, Prefect 4 included, so `~> 3.0` for Prefect 3; a `~>` of one number (`~> 2`, `~> 3`) draws a warning, as it admits the next major release) or " +
				"PEP 440 syntax with PEP 440's meaning (`==3.1.15`, `==3.1.*`, `~=3.1.2`, `>=3.1,<3.4`). Versions are " +
				"ordered as PEP 440 orders them. Defaults to the newest stable release. An exact prerelease such as " +
				"`3.0.0rc14` may be named without `allow_prereleases`; a `~>` bound with a prerelease (`~> 3.0.0rc14`) reads as " +
				"PEP 440's `~=`, 3.0.0rc14 or later within 3.0.x, final releases included, where Terraform's own reading admits " +
				"only 3.0.0's prereleases. A version of fewer than three numbers is exact too: " +
				"`3.4` (or `==3.4`) means 3.4.0, not the newest 3.4.z that Prefect's moving tag `3.4-python3.12` follows, " +
				"and draws a warning; write `~> 3.4.0` for the newest 3.4.z. Quote it: `prefect_version = 2.20` without " +
				"quotes is the number 2.2 to Terraform. A constraint no version can meet, prerelease or not (`>= 3.4, < 3.1`, " +
				"`==3.1.*, ==3.2.*`), draws a warning at validate time that names the clauses that exclude each other; so does one that only prereleases " +
				"meet (`>= 3.1.0rc1, < 3.1.0rc5`) while `allow_prereleases` is not true.",
			strings: []validator.String{versionConstraintValidator, shortPrefectVersion{}, majorOnlyPessimistic{}, constraintMatchesNothing{}, stringvalidator.ConflictsWith(path.MatchRoot("tag"))}},
		{name: "python_version", kind: kindString, input: true,
			description: "The Python version (`3.12`) or a constraint on it (`>= 3.11`). Defaults to the highest Python " +
				"published for the chosen release and flavor, compared as numbers (3.13 is higher than 3.9). Quote it: " +
				"`python_version = 3.10` without quotes is the number 3.1 to Terraform, which draws a warning. So does a " +
				"constraint no Python can meet (`>= 3.12, < 3.10`).",
			strings: []validator.String{pythonConstraintValidator, pythonWrittenAsNumber{}, constraintMatchesNothing{python: true}, stringvalidator.ConflictsWith(path.MatchRoot("tag"))}},
		{name: "flavor", kind: kindString, input: true, computed: true,
			description: "The image flavor: `standard`, `conda` or `kubernetes`. Defaults to `standard`; filled in from " +
				"the tag when `tag` is set, and null for a tag of another scheme (prefect-aws's, say).",
			strings: []validator.String{pinFlavorValidator, stringvalidator.ConflictsWith(path.MatchRoot("tag"))}},
		{name: "allow_prereleases", kind: kindBool, input: true, computed: true,
			description: "Also consider release candidates, alphas, betas and nightly `.devN` builds. Defaults to `false`.",
			bools:       []validator.Bool{boolvalidator.ConflictsWith(path.MatchRoot("tag"))}},
		{name: "tag", kind: kindString, input: true, computed: true,
			description: "One exact tag of any kind (`3-latest`, `3.1-python3.12`, `2-latest-conda`, or a tag of another " +
				"scheme such as prefect-aws's). Conflicts with `prefect_version`, `python_version`, `flavor` and " +
				"`allow_prereleases`. Defaults to none: the selector chooses the tag, and this is then the tag it chose, such as `3.1.15-python3.12`.",
			strings: []validator.String{pinTagValidator, stringvalidator.ConflictsWith(selectorConflicts...)}},
		{name: "platform", kind: kindString, input: true,
			description: "A platform, `os/arch[/variant]` as an image index names it, such as `linux/amd64` (not uname's " +
				"`linux/x86_64`). When set, the platform's own manifest is " +
				"resolved too, into `platform_digest`, `platform_ref` and `platform_digests`. Without a variant it matches " +
				"its os/arch's default variant, or the one entry of an older variant `docker pull --platform` takes for it " +
				"(`linux/arm/v6` for `linux/arm`), never a newer one (`linux/amd64/v3`); `linux/arm64/v8` and `linux/arm64` are one platform, and " +
				"`linux/arm/v7` and `linux/arm` another, as Docker and containerd take them, so an index that lists both " +
				"spellings with different images (a pull takes the " +
				"first listed) fails with *Platform Published Twice in the Image*. An index that lists a Windows image per Windows " +
				"version (`os.version`) names each with it, as containerd writes it (`windows(10.0.20348.2340)/amd64`); write the " +
				"version, in full or as a host's build (`windows(10.0.20348)/amd64`), to pick one. Defaults to none.",
			strings: []validator.String{pinPlatformValidator}},
		{name: "required_platforms", kind: kindStringList, input: true,
			description: "Platforms (`os/arch[/variant]`, as an image index names them: `amd64`, not uname's `x86_64`) the pinned image must provide, such as " +
				"`[\"linux/amd64\", \"linux/arm64\"]`, so that a pin never points at an image some of your workers " +
				"cannot run (Prefect re-pushed `2.20.21-python3.10` without linux/amd64: PrefectHQ/prefect#18943). " +
				"An entry without a variant is met by its os/arch's default variant (`linux/arm64` by `linux/arm64/v8`) or an older " +
				"variant `docker pull --platform` takes for it (`linux/arm` by `linux/arm/v6`), never by a newer one alone " +
				"(`linux/amd64` by `linux/amd64/v3`, which that pull refuses); " +
				"an entry with a variant only by that variant, as `platform` matches, where `linux/arm64/v8` and `linux/arm64`, " +
				"`linux/amd64/v1` and `linux/amd64`, and `linux/arm/v7` and `linux/arm`, are one platform each, as Docker and " +
				"containerd take them. Attestation entries " +
				"(`unknown/unknown`) count as no platform. The data source, and the resource at create or with a new " +
				"selector, fail on an image that lacks one; the resource holds its pin when upstream moves to such an " +
				"image (see `on_drift`), and fails a plan whose pinned image itself lacks one, unless `on_drift = \"update\"` " +
				"follows upstream to an image that has them all. Checking reads the " +
				"image's manifest with a GET, which Docker Hub counts as a pull (the HEAD that resolves a digest is " +
				"not counted): the data source makes one per pin per plan; the resource keeps `platform_digests` in " +
				"state and makes none while upstream's digest is the pinned one. Defaults to none; an empty list " +
				"requires nothing.",
			lists: []validator.List{platformListValidator{}}},
		{name: "digest", kind: kindString, computed: true,
			description: "What the tag points at: the multi-platform index digest where there is one, such as `sha256:9f…`."},
		{name: "ref", kind: kindString, computed: true,
			description: "`repository@digest`, such as `prefecthq/prefect@sha256:9f…`: the immutable reference to hand a " +
				"work pool or deployment."},
		{name: "tagged_ref", kind: kindString, computed: true,
			description: "`repository:tag@digest`, for people and Kubernetes. Prefect's Docker worker mishandles this " +
				"form: give it `ref`."},
		{name: "resolved_prefect_version", kind: kindString, computed: true,
			description: "The Prefect version of the chosen tag, such as `3.1.15`. Null for a `tag` that names no full " +
				"version (`3-latest`, `3.1-python3.12`), and for a tag of another scheme."},
		{name: "resolved_python_version", kind: kindString, computed: true,
			description: "The Python version of the chosen tag, such as `3.12`. Null for a `tag` that names none (`3-latest`), " +
				"and for a tag of another scheme."},
		{name: "platform_digest", kind: kindString, computed: true,
			description: "The digest of `platform`'s own image manifest. Set only when `platform` is."},
		{name: "platform_ref", kind: kindString, computed: true,
			description: "`repository@platform_digest`. Set only when `platform` is."},
		{name: "platform_digests", kind: kindStringMap, computed: true,
			description: "Every platform of the image, such as `{\"linux/amd64\" = \"sha256:…\"}`, attestation entries left " +
				"out; a single-platform image has its own. An entry with an `os.version` is keyed with it, as containerd writes it " +
				"(`windows(10.0.20348.2340)/amd64`). Set only when `platform` or `required_platforms` is."},
	}
}

func dataSourceAttributes() map[string]dschema.Attribute {
	out := map[string]dschema.Attribute{}
	for _, a := range pinAttributes() {
		optional, computed := a.input, a.computed || !a.input
		switch a.kind {
		case kindString:
			out[a.name] = dschema.StringAttribute{Optional: optional, Computed: computed, MarkdownDescription: a.description, Validators: a.strings}
		case kindBool:
			out[a.name] = dschema.BoolAttribute{Optional: optional, Computed: computed, MarkdownDescription: a.description, Validators: a.bools}
		case kindStringMap:
			out[a.name] = dschema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: a.description}
		case kindStringList:
			out[a.name] = dschema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: a.description, Validators: a.lists}
		}
	}
	return out
}

func resourceAttributes() map[string]rschema.Attribute {
	out := map[string]rschema.Attribute{}
	for _, a := range pinAttributes() {
		optional, computed := a.input, a.computed || !a.input
		switch a.kind {
		case kindString:
			out[a.name] = rschema.StringAttribute{Optional: optional, Computed: computed, MarkdownDescription: a.description, Validators: a.strings}
		case kindBool:
			out[a.name] = rschema.BoolAttribute{Optional: optional, Computed: computed, MarkdownDescription: a.description, Validators: a.bools,
				Default: booldefault.StaticBool(false)}
		case kindStringMap:
			out[a.name] = rschema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: a.description}
		case kindStringList:
			out[a.name] = rschema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: a.description, Validators: a.lists}
		}
	}
	return out
}
