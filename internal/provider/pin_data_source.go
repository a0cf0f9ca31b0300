package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

var (
	_ datasource.DataSource              = (*pinDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*pinDataSource)(nil)
)

type pinDataSource struct {
	data *providerData
}

// NewPinDataSource returns the prefectimage_pin data source.
func NewPinDataSource() datasource.DataSource {
	return &pinDataSource{}
}

func (d *pinDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pin"
}

func (d *pinDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Resolves a Prefect image selector (a version constraint, a Python version, a flavor) or " +
			"one exact tag to a digest-pinned reference, on every plan. When the tag moves upstream, everything fed " +
			"from `ref` shows the change in the plan. To hold a pin in state and review upstream moves, use the " +
			"`prefectimage_pin` resource instead. With `required_platforms`, an image that lacks one of them is an " +
			"error, and every plan reads each pin's manifest once with a GET, which Docker Hub counts as a pull.",
		Attributes: dataSourceAttributes(),
	}
}

func (d *pinDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataOf(req.ProviderData, &resp.Diagnostics)
}

func (d *pinDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model pinModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sel, _ := selectorOf(model) // data sources are read only once their config is known
	if sel.Repository == "" && d.data.repositoryUnknown {
		resp.Diagnostics.AddError("Repository Not Known Yet",
			"The provider's repository depends on a value that is known only after apply, so this data source cannot be read now. "+
				"Set repository on the data source, or give the provider a repository that is known at plan time.")
		return
	}
	rreq, err := sel.request(d.data.defaultRepository)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Selector", err.Error())
		return
	}
	rreq.RequiredPlatforms, _ = requiredPlatformsOf(model)
	pin, err := d.data.resolver.Resolve(ctx, rreq)
	if err != nil {
		addResolveError(&resp.Diagnostics, err, sel, sel.Repository != "", false, d.data.pendingCredentialsNote(rreq.Repository))
		return
	}
	resp.Diagnostics.Append(model.setResults(ctx, rreq, pin)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
