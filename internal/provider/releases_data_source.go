package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

var (
	_ datasource.DataSource              = (*releasesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*releasesDataSource)(nil)
)

type releasesDataSource struct {
	data *providerData
}

// NewReleasesDataSource returns the prefectimage_releases data source.
func NewReleasesDataSource() datasource.DataSource {
	return &releasesDataSource{}
}

// releasesModel is the data source's filter and results, in schema order.
type releasesModel struct {
	Repository       types.String `tfsdk:"repository"`
	PrefectVersion   types.String `tfsdk:"prefect_version"`
	PythonVersion    types.String `tfsdk:"python_version"`
	Flavor           types.String `tfsdk:"flavor"`
	AllowPrereleases types.Bool   `tfsdk:"allow_prereleases"`

	Versions types.List   `tfsdk:"versions"`
	Latest   types.String `tfsdk:"latest"`
	Releases types.List   `tfsdk:"releases"`
}

// releaseModel and releaseImageModel are the elements of releases and of
// its images, converted with types.ListValueFrom.
type releaseModel struct {
	Version    string              `tfsdk:"version"`
	Prerelease bool                `tfsdk:"prerelease"`
	Images     []releaseImageModel `tfsdk:"images"`
}

type releaseImageModel struct {
	Tag           string `tfsdk:"tag"`
	PythonVersion string `tfsdk:"python_version"`
	Flavor        string `tfsdk:"flavor"`
}

var (
	releaseImageType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"tag":            types.StringType,
		"python_version": types.StringType,
		"flavor":         types.StringType,
	}}
	releaseType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"version":    types.StringType,
		"prerelease": types.BoolType,
		"images":     types.ListType{ElemType: releaseImageType},
	}}
)

// The selector validators of the pin, with what leaving an attribute out
// means here: every version, every Python.
var (
	releasesVersionValidator = blankMeans(versionConstraintValidator,
		`prefect_version is blank; leave it out for every version, or write a constraint such as "~> 3.4"`)
	releasesPythonValidator = blankMeans(pythonConstraintValidator,
		`python_version is blank; leave it out for every Python, or write a version such as "3.12"`)
	releasesFlavorValidator = blankMeans(flavorValidator,
		`flavor is blank; leave it out (or null) for every flavor, or write "standard", "conda" or "kubernetes"`)
)

func (d *releasesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_releases"
}

func (d *releasesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists what a repository really publishes: every Prefect release with its images (Python " +
			"versions and flavors), newest first, optionally narrowed by the same version constraint, Python version and " +
			"flavor that `prefectimage_pin` takes. For discovery, `for_each` matrices and `check` blocks that say a " +
			"newer release than a pin is out. It reads tag lists only, never a manifest; nothing matching is not an " +
			"error but an empty `versions` and a null `latest`.",
		Attributes: map[string]schema.Attribute{
			"repository": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The image repository: `prefecthq/prefect`, `prefecthq/prefect-client`, a mirror such " +
					"as `ghcr.io/acme/prefect`, or `127.0.0.1:5000/prefecthq/prefect`. Defaults to the provider's " +
					"`repository`.",
				Validators: []validator.String{selectorRepositoryValidator},
			},
			"prefect_version": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A constraint on the Prefect version, as for `prefectimage_pin`: Terraform syntax " +
					"with Terraform's meaning (`3.1.15`, `!= 3.2.0`, `>= 3.1, < 3.4`, `~> 3.1` meaning `>= 3.1, < 4.0`, " +
					"`~> 3.1.0` meaning `>= 3.1.0, < 3.2.0`, `~> 3` meaning `>= 3`, Prefect 4 included, so `~> 3.0` for " +
					"Prefect 3; a `~>` of one number (`~> 2`, `~> 3`) draws a warning, as it admits the next major release) or PEP 440 syntax with PEP 440's meaning (`==3.1.15`, " +
					"`==3.1.*`, `~=3.1.2`, `>=3.1,<3.4`). Defaults to every version. An exact prerelease such as " +
					"`3.0.0rc14` may be named without `allow_prereleases`. A version of fewer than three numbers is exact " +
					"too: `3.4` (or `==3.4`) lists 3.4.0 alone, not every 3.4.z, and draws a warning; write `~> 3.4.0` (or " +
					"`==3.4.*`) for every 3.4.z. Quote it: `prefect_version = 2.20` without quotes is the number 2.2 to Terraform. " +
					"A constraint no version can meet, prerelease or not (`>= 3.4, < 3.1`, `==3.1.*, ==3.2.*`), lists nothing " +
					"and draws a warning at validate time that names the clauses that exclude each other; so does one that only " +
					"prereleases meet (`>= 3.1.0rc1, < 3.1.0rc5`) while `allow_prereleases` is not true.",
				Validators: []validator.String{releasesVersionValidator, shortPrefectVersion{listing: true}, majorOnlyPessimistic{listing: true}, constraintMatchesNothing{listing: true}},
			},
			"python_version": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A Python version (`3.12`) or a constraint on it (`>= 3.11`), compared as numbers " +
					"(3.13 is higher than 3.9). Only images for a Python that meets it are listed. Defaults to every Python. " +
					"Quote it: `python_version = 3.10` without quotes is the number 3.1 to Terraform, which lists nothing " +
					"and draws a warning; so does a constraint no Python can meet (`>= 3.12, < 3.10`).",
				Validators: []validator.String{releasesPythonValidator, pythonWrittenAsNumber{}, constraintMatchesNothing{python: true, listing: true}},
			},
			"flavor": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "One image flavor: `standard`, `conda` or `kubernetes`. Only images of that flavor " +
					"are listed. Defaults to every flavor.",
				Validators: []validator.String{releasesFlavorValidator},
			},
			"allow_prereleases": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Also list release candidates, alphas, betas and nightly `.devN` builds. Defaults " +
					"to `false`; a prerelease named exactly in `prefect_version` is listed either way.",
			},
			"versions": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The versions with at least one image left by the filters, newest first in PEP 440 " +
					"order (`.devN` < `aN` < `bN` < `rcN` < final, numbers compared as numbers: `rc9` < `rc10`). Empty " +
					"when nothing matches.",
			},
			"latest": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The newest version, `versions[0]`; null when nothing matches.",
			},
			"releases": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The releases in `versions`' order, each with its images. Only tags that name a " +
					"full version (`3.1.15-python3.12`, `3.0.0rc14-python3.11-conda`) count; moving tags (`3-latest`, " +
					"`3.1-python3.12`), `sha-` tags and tags of other schemes are passed over. An image Prefect did not " +
					"publish (3.1.9 on Python 3.13, a conda build that failed) is not listed.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"version": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "The Prefect version, such as `3.1.15` or `3.0.0rc14`.",
					},
					"prerelease": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Whether the version is a prerelease: an `aN`, `bN`, `rcN` or `.devN` version.",
					},
					"images": schema.ListNestedAttribute{
						Computed: true,
						MarkdownDescription: "The release's images left by `python_version` and `flavor`, by Python (as " +
							"numbers), then flavor: `standard`, `conda`, `kubernetes`.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"tag": schema.StringAttribute{
								Computed:            true,
								MarkdownDescription: "The image's tag, such as `3.1.15-python3.12-conda`: give it to `prefectimage_pin`'s `tag`, or its version, Python and flavor to a selector.",
							},
							"python_version": schema.StringAttribute{
								Computed:            true,
								MarkdownDescription: "The image's Python version, such as `3.12`.",
							},
							"flavor": schema.StringAttribute{
								Computed:            true,
								MarkdownDescription: "The image's flavor: `standard`, `conda` or `kubernetes`.",
							},
						}},
					},
				}},
			},
		},
	}
}

func (d *releasesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataOf(req.ProviderData, &resp.Diagnostics)
}

func (d *releasesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model releasesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	repository := model.Repository.ValueString()
	if repository == "" {
		if d.data.repositoryUnknown {
			resp.Diagnostics.AddError("Repository Not Known Yet",
				"The provider's repository depends on a value that is known only after apply, so the releases cannot be listed now. "+
					"Set repository on the data source, or give the provider a repository that is known at plan time.")
			return
		}
		repository = d.data.defaultRepository
	}
	filter, err := prefecttag.ParseReleaseFilter(model.PrefectVersion.ValueString(), model.PythonVersion.ValueString(),
		model.Flavor.ValueString(), model.AllowPrereleases.ValueBool())
	if err != nil { // the validators have said so already
		resp.Diagnostics.AddError("Invalid Release Filter", err.Error())
		return
	}
	releases, err := d.data.resolver.Releases(ctx, repository, filter)
	if err != nil {
		summary := resolveErrorSummary(err)
		switch {
		case registry.IsNotFound(err): // a tag list is missing only with its repository
			summary = "Repository Not Found"
		case summary == unresolvedTitle: // no image was being resolved
			summary = "Unable to List Prefect Releases"
		}
		detail := releasesErrorDetail(err) + d.data.pendingCredentialsNote(repository)
		if summary == "Repository Not Found" && !model.Repository.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("repository"), summary, detail)
		} else {
			resp.Diagnostics.AddError(summary, detail)
		}
		return
	}
	tflog.Debug(ctx, "listed releases", map[string]any{"repository": repository, "releases": len(releases)})

	model.Repository = types.StringValue(repository)
	model.AllowPrereleases = types.BoolValue(filter.AllowPrereleases)
	resp.Diagnostics.Append(model.setReleases(ctx, releases)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// releasesErrorDetail is resolveErrorDetail's, but for a registry that lists
// only part of a repository (Artifact Registry's 10,000 tags) or pages its
// list so that no client reads it whole, whose advice for a pin is the tag
// attribute: this data source has none, and lists.
func releasesErrorDetail(err error) string {
	var limit *registry.LimitError
	if errors.As(err, &limit) && limit.Bound == "tags" || errors.As(err, new(*registry.UnreadableListError)) {
		return err.Error() + " Listing releases needs every tag: point repository at a registry that lists every tag, such as Docker Hub's prefecthq/prefect."
	}
	return resolveErrorDetail(err)
}

// setReleases writes versions, latest and releases: empty lists and a null
// latest when there are none.
func (m *releasesModel) setReleases(ctx context.Context, releases []prefecttag.Release) diag.Diagnostics {
	versions := make([]string, len(releases))
	elems := make([]releaseModel, len(releases))
	for i, r := range releases {
		versions[i] = r.Version.String()
		images := make([]releaseImageModel, len(r.Images))
		for j, t := range r.Images {
			images[j] = releaseImageModel{Tag: t.Name, PythonVersion: t.Python.String(), Flavor: string(t.Flavor)}
		}
		elems[i] = releaseModel{Version: versions[i], Prerelease: r.Version.IsPrerelease(), Images: images}
	}
	m.Latest = types.StringNull()
	if len(versions) > 0 {
		m.Latest = types.StringValue(versions[0])
	}
	var diags, d diag.Diagnostics
	m.Versions, d = types.ListValueFrom(ctx, types.StringType, versions)
	diags.Append(d...)
	m.Releases, d = types.ListValueFrom(ctx, releaseType, elems)
	diags.Append(d...)
	return diags
}
