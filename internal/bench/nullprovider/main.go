// Command nullprovider is the benchmark's yardstick for provider start-up: a
// terraform-plugin-framework provider served at prefectimage's address,
// with a provider block and a prefectimage_pin resource that accept the
// benchmark's configuration without a pin, and that does nothing at all.
// `terraform plan` with it against `terraform plan` with prefectimage shows
// what prefectimage's own start-up adds to a plan. Built by cmd/bench only.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return nullProvider{} }, providerserver.ServeOpts{
		Address: "registry.terraform.io/prefectimage/prefectimage",
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

type nullProvider struct{}

func (nullProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "prefectimage"
}

func (nullProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{Attributes: map[string]pschema.Attribute{
		"repository": pschema.StringAttribute{Optional: true},
	}}
}

func (nullProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (nullProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return nullPin{} }}
}

func (nullProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type nullPin struct{}

func (nullPin) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pin"
}

func (nullPin) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{Attributes: map[string]rschema.Attribute{
		"tag": rschema.StringAttribute{Optional: true},
	}}
}

func (nullPin) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (nullPin) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (nullPin) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (nullPin) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
