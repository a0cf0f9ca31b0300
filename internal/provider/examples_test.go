package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// TestExamples plans every example under examples/ through the Terraform
// CLI, as a user would run it: the registry is the in-process one, and the
// PrefectHQ/prefect provider, which cannot be downloaded here, is a stub
// with the few attributes the examples use. So the function calls, the pin
// results fed into work pools and deployments, and the HCL itself run for
// real; the stub's schema is only as right as its copy of the prefect
// provider's, which TestExamplesStubRefuses holds to refusing what that
// provider refuses.
func TestExamples(t *testing.T) {
	isolateHome(t)
	reg := sharedRegistry(t)
	if err := reg.Seed("acme/prefect-client", tagcatalog.PrefectClient()); err != nil {
		t.Fatal(err)
	}
	host := reg.Host()
	t.Setenv("PREFECTIMAGE_REPOSITORY", host+"/"+prefectRepo)
	t.Setenv("TF_VAR_dockerhub_token", "example-token")
	t.Setenv("TF_VAR_registry", host)

	// Where an example names Docker Hub or a mirror, point it at the
	// in-process registry; provider sources become the test's.
	rewrites := []struct{ from, to string }{
		{`"prefectimage/prefectimage"`, `"hashicorp/prefectimage"`},
		{`"prefecthq/prefect"`, `"` + host + `/prefecthq/prefect"`},
		{`"PrefectHQ/prefect"`, `"hashicorp/prefect"`},
		{`"ghcr.io/acme/prefect-client"`, `"` + host + `/acme/prefect-client"`},
	}
	sourceFix := regexp.MustCompile(`source\s*=\s*"` + regexp.QuoteMeta(host) + `/prefecthq/prefect"`)

	var dirs []string
	for _, pattern := range []string{"../../examples/*", "../../examples/*/*", "../../examples/*/*/*"} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, found...)
	}
	for _, dir := range dirs {
		tfs, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
		if len(tfs) == 0 {
			continue
		}
		name, _ := filepath.Rel("../../examples", dir)
		t.Run(name, func(t *testing.T) {
			// The files go to a dir of the test's own, and the .tf files
			// into one Config, with path.module spelled out as that dir.
			work := t.TempDir()
			var hcl strings.Builder
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.IsDir() {
					continue
				}
				raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				text := string(raw)
				if strings.HasSuffix(e.Name(), ".tf") {
					for _, r := range rewrites {
						text = strings.ReplaceAll(text, r.from, r.to)
					}
					text = sourceFix.ReplaceAllString(text, `source = "hashicorp/prefect"`)
					text = strings.ReplaceAll(text, "${path.module}", work)
					hcl.WriteString(text + "\n")
				}
				if err := os.WriteFile(filepath.Join(work, e.Name()), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			step := tfresource.TestStep{Config: hcl.String(), ConfigStateChecks: exampleStateChecks[name]}
			if checkData.MatchString(step.Config) {
				// Terraform plans a check block's own data source to be
				// read again at apply, pass or fail, so no plan after the
				// apply is empty; nothing else may change.
				step.ExpectNonEmptyPlan = true
				step.ConfigPlanChecks.PostApplyPreRefresh = []plancheck.PlanCheck{onlyDataReads{}}
				step.ConfigPlanChecks.PostApplyPostRefresh = []plancheck.PlanCheck{onlyDataReads{}}
			}
			step.ConfigPlanChecks.PostApplyPostRefresh = append(step.ConfigPlanChecks.PostApplyPostRefresh, examplePlanChecks[name]...)
			steps := []tfresource.TestStep{step}
			if forEach.MatchString(step.Config) {
				// plugin-testing cannot read a state that holds for_each
				// instances (hashicorp/terraform-plugin-sdk#536) when it
				// cleans up after the test: a last step removes them.
				steps = append(steps, tfresource.TestStep{Config: "# the example's objects, removed\n"})
			}
			tfresource.UnitTest(t, tfresource.TestCase{
				TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"prefectimage": providerserver.NewProtocol6WithError(New("test")()),
					"prefect":      providerserver.NewProtocol6WithError(&stubPrefectProvider{}),
				},
				Steps: steps,
			})
		})
	}
}

// exampleStateChecks and examplePlanChecks are what some examples must
// produce besides applying cleanly, on the shipped catalog (newest stable
// release 3.8.3, on Python 3.10 to 3.14).
var (
	exampleStateChecks = map[string][]statecheck.StateCheck{
		"data-sources/prefectimage_releases": {
			statecheck.ExpectKnownOutputValue("flavors_of_3_1_9", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("standard"), knownvalue.StringExact("conda"), knownvalue.StringExact("kubernetes"),
			})),
			statecheck.ExpectKnownOutputValue("pythons_of_3_1_9_by_flavor", knownvalue.MapExact(map[string]knownvalue.Check{
				"standard":   pythons("3.9", "3.10", "3.11", "3.12"),
				"conda":      pythons("3.9", "3.10", "3.11", "3.12"),
				"kubernetes": pythons("3.9", "3.10", "3.11", "3.12"),
			})),
			statecheck.ExpectKnownOutputValue("newest_conda_312", knownvalue.StringExact("3.8.3")),
		},
		// The function examples' comments show 3.1.15 images: their
		// constraint must pick 3.1.15, not the newest 3.x that "~> 3.1" means.
		"functions/parse_tag": {
			statecheck.ExpectKnownValue("data.prefectimage_pin.flows", tfjsonpath.New("tag"), knownvalue.StringExact("3.1.15-python3.12-kubernetes")),
			statecheck.ExpectKnownValue("prefect_work_pool.kubernetes", tfjsonpath.New("description"),
				knownvalue.StringExact("Flows run on Prefect 3.1.15, Python 3.12 (kubernetes image).")),
		},
		"functions/set_image_default": {
			statecheck.ExpectKnownValue("data.prefectimage_pin.flows", tfjsonpath.New("tag"), knownvalue.StringExact("3.1.15-python3.12")),
		},
		"functions/set_variable_defaults": {
			statecheck.ExpectKnownValue("data.prefectimage_pin.flows", tfjsonpath.New("tag"), knownvalue.StringExact("3.1.15-python3.12-kubernetes")),
		},
		"data-sources/prefectimage_releases/matrix": {
			statecheck.ExpectKnownOutputValue("matrix", knownvalue.MapSizeExact(5)),
			statecheck.ExpectKnownOutputValue("matrix", knownvalue.MapPartial(map[string]knownvalue.Check{
				"3.10": knownvalue.StringRegexp(regexp.MustCompile(`/prefecthq/prefect@sha256:[0-9a-f]{64}$`)),
				"3.14": knownvalue.StringRegexp(regexp.MustCompile(`/prefecthq/prefect@sha256:[0-9a-f]{64}$`)),
			})),
		},
	}
	examplePlanChecks = map[string][]plancheck.PlanCheck{
		"data-sources/prefectimage_releases/check":         {expectCheckBlock{"prefect_is_current", "fail", "Newer Prefect releases: 3.8.3, 3.8.2, 3.8.1, 3.8.0"}},
		"data-sources/prefectimage_releases/check-nightly": {expectCheckBlock{"prefect_is_current", "fail", "Newer Prefect releases: 3.8.3, 3.8.2, 3.8.1, 3.8.0"}},
	}
)

func pythons(versions ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(versions))
	for i, v := range versions {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

// forEach finds a for_each argument.
var forEach = regexp.MustCompile(`\bfor_each\s*=`)

// checkData finds a check block that opens with a data block of its own.
var checkData = regexp.MustCompile(`check\s+"[^"]*"\s*\{\s*data\s+"`)

// onlyDataReads passes a plan whose only changes are data source reads.
type onlyDataReads struct{}

func (onlyDataReads) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Mode == "data" && rc.Change.Actions.Read() || rc.Change.Actions.NoOp() {
			continue
		}
		resp.Error = fmt.Errorf("%s: %v after apply; only a check block's data source may be read again", rc.Address, rc.Change.Actions)
		return
	}
}

// stubPrefectProvider stands in for PrefectHQ/prefect: its resources keep
// what they are given, and prefect_worker_metadata serves each worker type's
// default template (the Docker one the examples ship, the others from the
// jobtemplate package's testdata), so that job variables set in the
// examples are checked against the right type's schema.
type stubPrefectProvider struct{}

func (*stubPrefectProvider) Metadata(_ context.Context, _ fwprovider.MetadataRequest, resp *fwprovider.MetadataResponse) {
	resp.TypeName = "prefect"
}
func (*stubPrefectProvider) Schema(context.Context, fwprovider.SchemaRequest, *fwprovider.SchemaResponse) {
}
func (*stubPrefectProvider) Configure(context.Context, fwprovider.ConfigureRequest, *fwprovider.ConfigureResponse) {
}
func (*stubPrefectProvider) Resources(context.Context) []func() resource.Resource {
	// Each attribute as PrefectHQ/prefect declares it (read from its
	// internal/provider/resources at d7f1aa4): what the examples set, and
	// what the real resource requires. Its JSON attributes (jsontypes.Normalized)
	// and UUID ones refuse a value that is not JSON or not a UUID; so do these.
	optional := rschema.StringAttribute{Optional: true}
	required := rschema.StringAttribute{Required: true}
	jsonText := func(def string) rschema.StringAttribute {
		a := rschema.StringAttribute{Optional: true, Validators: []validator.String{stubJSON{}}}
		if def != "" {
			a.Computed, a.Default = true, stringdefault.StaticString(def)
		}
		return a
	}
	return []func() resource.Resource{
		func() resource.Resource {
			return &stubResource{name: "work_pool", attrs: map[string]rschema.Attribute{
				"name": required,
				// Optional: a work pool without a type is a "prefect-agent" one.
				"type":              rschema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("prefect-agent")},
				"description":       optional,
				"base_job_template": jsonText(""),
				"paused":            rschema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false)},
			}}
		},
		func() resource.Resource {
			return &stubResource{name: "flow", uuidID: true, attrs: map[string]rschema.Attribute{"name": required}}
		},
		func() resource.Resource {
			return &stubResource{name: "deployment", attrs: map[string]rschema.Attribute{
				"name":           required,
				"flow_id":        rschema.StringAttribute{Required: true, Validators: []validator.String{stubUUID{}}},
				"work_pool_name": optional,
				"entrypoint":     optional,
				"job_variables":  jsonText("{}"),
			}}
		},
	}
}

// stubJSON and stubUUID refuse, as the prefect provider's attribute types
// do, a known value that is not JSON text or not a UUID.
type (
	stubJSON struct{}
	stubUUID struct{}
)

var uuidText = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (stubJSON) Description(context.Context) string         { return "JSON text" }
func (stubJSON) MarkdownDescription(context.Context) string { return "JSON text" }
func (stubJSON) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || json.Valid([]byte(req.ConfigValue.ValueString())) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid JSON String Value", "not JSON text: "+req.ConfigValue.ValueString())
}
func (stubUUID) Description(context.Context) string         { return "a UUID" }
func (stubUUID) MarkdownDescription(context.Context) string { return "a UUID" }
func (stubUUID) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || uuidText.MatchString(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid UUID Format", "not a UUID: "+req.ConfigValue.ValueString())
}
func (*stubPrefectProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{func() datasource.DataSource { return stubWorkerMetadata{} }}
}

// stubResource keeps its configuration as its state, with id = name, or,
// with uuidID, a UUID made from the name, as the objects that other
// resources name by UUID have.
type stubResource struct {
	name   string
	uuidID bool
	attrs  map[string]rschema.Attribute
}

func (r *stubResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.name
}
func (r *stubResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]rschema.Attribute{"id": rschema.StringAttribute{Computed: true}}
	for k, v := range r.attrs {
		attrs[k] = v
	}
	resp.Schema = rschema.Schema{Attributes: attrs}
}
func (r *stubResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathRoot("name"), &name)...)
	if r.uuidID {
		sum := sha256.Sum256([]byte(name.ValueString()))
		h := hex.EncodeToString(sum[:16])
		name = types.StringValue(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:])
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathRoot("id"), name)...)
}
func (r *stubResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}
func (r *stubResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}
func (r *stubResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

type stubWorkerMetadata struct{}

func (stubWorkerMetadata) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_worker_metadata"
}

// workerTemplates are the templates prefect_worker_metadata serves, by
// worker type.
var workerTemplates = map[string]string{
	"docker":     "../../examples/functions/set_image_default/docker-base-job-template.json",
	"kubernetes": "../jobtemplate/testdata/kubernetes.json",
	"ecs":        "../jobtemplate/testdata/ecs.json",
	"cloud_run":  "../jobtemplate/testdata/cloud-run.json",
	"process":    "../jobtemplate/testdata/process.json",
}

func (stubWorkerMetadata) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	types_ := map[string]attr.Type{}
	for w := range workerTemplates {
		types_[w] = types.StringType
	}
	resp.Schema = dschema.Schema{Attributes: map[string]dschema.Attribute{
		"base_job_configs": dschema.ObjectAttribute{Computed: true, AttributeTypes: types_},
	}}
}
func (stubWorkerMetadata) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	values := map[string]attr.Value{}
	types_ := map[string]attr.Type{}
	for w, file := range workerTemplates {
		raw, err := os.ReadFile(file)
		if err != nil {
			resp.Diagnostics.AddError("stub", err.Error())
			return
		}
		values[w] = types.StringValue(string(raw))
		types_[w] = types.StringType
	}
	obj, diags := types.ObjectValue(types_, values)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathRoot("base_job_configs"), obj)...)
}

func pathRoot(name string) path.Path { return path.Root(name) }

// TestExamplesStubRefuses checks that the stub refuses what the prefect
// provider refuses, for the attributes the examples set: else TestExamples
// could not fail on an example that the real provider would reject.
func TestExamplesStubRefuses(t *testing.T) {
	isolateHome(t)
	const flow = `
resource "prefect_flow" "f" {
  name = "f"
}
`
	cases := []struct{ name, config, want string }{
		{"flow_id names a flow", flow + `
resource "prefect_deployment" "d" {
  name    = "d"
  flow_id = "f"
}`, `not a UUID: f`},
		{"flow_id is required", `
resource "prefect_deployment" "d" {
  name = "d"
}`, `"flow_id" is required`},
		{"job_variables are JSON text", flow + `
resource "prefect_deployment" "d" {
  name          = "d"
  flow_id       = prefect_flow.f.id
  job_variables = "image=prefecthq/prefect"
}`, `not JSON text`},
		{"job_variables are not an object", flow + `
resource "prefect_deployment" "d" {
  name          = "d"
  flow_id       = prefect_flow.f.id
  job_variables = { image = "prefecthq/prefect" }
}`, `string required`},
		{"base_job_template is JSON text", `
resource "prefect_work_pool" "p" {
  name              = "p"
  base_job_template = "{{ image }}"
}`, `not JSON text`},
		{"a work pool has no image", `
resource "prefect_work_pool" "p" {
  name  = "p"
  image = "prefecthq/prefect"
}`, `An argument named "image" is not expected here`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tfresource.UnitTest(t, tfresource.TestCase{
				TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"prefect": providerserver.NewProtocol6WithError(&stubPrefectProvider{}),
				},
				Steps: []tfresource.TestStep{{Config: c.config, ExpectError: regexp.MustCompile(regexp.QuoteMeta(c.want))}},
			})
		})
	}
}

// TestExamplesImportID checks the import example, which TestExamples does
// not run (its digest is made up): the command names the resource of the
// resource example, and its ID is one the import accepts.
func TestExamplesImportID(t *testing.T) {
	script, err := os.ReadFile("../../examples/resources/prefectimage_pin/import.sh")
	if err != nil {
		t.Fatal(err)
	}
	config, err := os.ReadFile("../../examples/resources/prefectimage_pin/resource.tf")
	if err != nil {
		t.Fatal(err)
	}
	cmd := regexp.MustCompile(`(?m)^terraform import prefectimage_pin\.(\S+) '([^']+)'$`)
	found := cmd.FindAllStringSubmatch(string(script), -1)
	if len(found) == 0 {
		t.Fatal("import.sh has no terraform import command")
	}
	for _, m := range found {
		if !strings.Contains(string(config), `resource "prefectimage_pin" "`+m[1]+`"`) {
			t.Errorf("import.sh imports prefectimage_pin.%s, which resource.tf does not declare", m[1])
		}
		if _, err := parseImportID(m[2]); err != nil {
			t.Errorf("import.sh: %v", err)
		}
	}
}
