// Package provider is the Terraform glue of prefectimage: it converts between
// Terraform values and the pure packages (prefecttag, resolver) and the
// registry client. It holds no selection or registry logic of its own.
package provider

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// Defaults of the provider block, also named in the schema descriptions.
const (
	defaultRepository     = "prefecthq/prefect"
	defaultRequestTimeout = registry.DefaultRequestTimeout
	defaultMaxRetries     = registry.DefaultMaxRetries
	repositoryEnv         = "PREFECTIMAGE_REPOSITORY"
)

var (
	_ provider.Provider              = (*prefectImageProvider)(nil)
	_ provider.ProviderWithFunctions = (*prefectImageProvider)(nil)
)

type prefectImageProvider struct {
	version  string
	resolver []resolver.Option
}

// New returns a constructor of the provider, as providerserver.Serve wants.
// Resolver options are for the benchmark's comparison builds; the provider
// itself passes none.
func New(version string, opts ...resolver.Option) func() provider.Provider {
	return func() provider.Provider {
		return &prefectImageProvider{version: version, resolver: opts}
	}
}

type providerModel struct {
	Repository         types.String `tfsdk:"repository"`
	RegistryAuth       types.List   `tfsdk:"registry_auth"` // of registryAuthModel; unknown under a dynamic block whose for_each is known only after apply
	InsecureRegistries types.List   `tfsdk:"insecure_registries"`
	CACertificatePEM   types.String `tfsdk:"ca_certificate_pem"`
	RequestTimeout     types.String `tfsdk:"request_timeout"`
	MaxRetries         types.Number `tfsdk:"max_retries"`
	ListingTimeout     types.String `tfsdk:"listing_timeout"`
}

type registryAuthModel struct {
	Address  types.String `tfsdk:"address"`
	Username types.String `tfsdk:"username"`
	Password types.String `tfsdk:"password"`
}

// providerData is what Configure hands to the data source and the resource:
// one resolver (and so one registry client, transport and cache) per
// provider instance.
type providerData struct {
	resolver          *resolver.Resolver
	defaultRepository string
	// repositoryUnknown: the provider's repository depends on a value known
	// only at apply, so pins without a repository of their own cannot be
	// resolved at plan time.
	repositoryUnknown bool
	// pendingAuth: the registry_auth blocks known only at apply.
	pendingAuth pendingCredentials
}

// pendingCredentials are the registry_auth blocks known only at apply,
// which this run cannot use: their hosts, or every host when a block's
// address (or the blocks themselves, under a dynamic block) is unknown.
type pendingCredentials struct {
	everyHost bool
	hosts     []string
}

// credentialsPending reports whether the credentials for repository's
// registry may be known only at apply: this run reaches it without them
// (the Docker config keychain, or anonymous), which a private registry
// refuses, so a pin there is resolved at apply, when they are known. block
// is the address of the block, "" when any block may be the registry's.
func (d *providerData) credentialsPending(repository string) (block string, pending bool) {
	if repository == "" {
		repository = d.defaultRepository
	}
	ref, err := registry.ParseRepository(repository)
	if err != nil {
		return "", false
	}
	for _, h := range d.pendingAuth.hosts {
		if registry.SameCredentialHost(h, ref.Host()) {
			return h, true
		}
	}
	return "", d.pendingAuth.everyHost
}

// pendingBlock names the registry_auth block known only at apply that
// credentialsPending returned: block is its address, "" for any block.
func pendingBlock(block string) string {
	if block == "" {
		return "the registry_auth blocks (their address, or a dynamic block's for_each)"
	}
	return "the registry_auth block for " + block
}

// pendingCredentialsNote is what a failure of a read at plan time adds
// when the registry's credentials may be known only at apply, else "".
func (d *providerData) pendingCredentialsNote(repository string) string {
	block, pending := d.credentialsPending(repository)
	if !pending {
		return ""
	}
	what := "A registry_auth block depends on a value known only after apply (its address, or a dynamic block's for_each), so this plan reached the registry without credentials from it"
	if block != "" {
		what = fmt.Sprintf("The registry_auth block for %s depends on a value known only after apply, so this plan reached the registry without it", block)
	}
	return " " + what + " (a data source, and a refresh, are read at plan time). Give the block values known at plan time (a variable, or a data source), " +
		"or create what it depends on first (apply with -target=...)."
}

// providerDataOf takes what Configure handed over; nil before the provider
// is configured (at validate time).
func providerDataOf(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data", fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", data))
	}
	return pd
}

func (p *prefectImageProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "prefectimage"
	resp.Version = p.version
}

func (p *prefectImageProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Pins Prefect container images by digest. The provider lists a repository's tags, " +
			"picks the tag a selector asks for (PEP 440 order, Terraform or PEP 440 constraints) and resolves it to " +
			"an immutable `repository@sha256:…` reference. Every attribute is optional.",
		Attributes: map[string]schema.Attribute{
			"repository": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The repository used by every `prefectimage_pin` and `prefectimage_releases` that sets none. Defaults to the " +
					"`PREFECTIMAGE_REPOSITORY` environment variable, else `prefecthq/prefect` on Docker Hub. " +
					"A mirror such as `ghcr.io/acme/prefect` works the same way.",
				Validators: []validator.String{repositoryValidator},
			},
			"insecure_registries": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Registry hosts (`host` or `host:port`, one host each: no wildcard) that may be reached over plain HTTP or " +
					"TLS without certificate verification. Only these hosts; every other host keeps full verification. " +
					"Loopback hosts (`127.0.0.1`, `localhost`) speak plain HTTP without being listed; private addresses (`10.0.0.5`, `192.168.1.2`) do not. " +
					"Defaults to none.",
				Validators: []validator.List{hostListValidator{}},
			},
			"ca_certificate_pem": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "PEM-encoded CA certificate(s) trusted in addition to the system's, for registries " +
					"behind a corporate CA. Every PEM block must be whole: a block cut short or damaged is an error, not skipped. " +
					"Defaults to none.",
				Validators: []validator.String{pemValidator},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long one registry request may take, as a Go duration (`30s`, `2m`). " +
					"Defaults to `30s`. A failed operation gives up within `request_timeout × (max_retries + 1)`.",
				Validators: []validator.String{durationValidator},
			},
			// A number, not an Int64Attribute: the framework turns 1.5 in
			// an Int64Attribute into "Configuration Read Error ... always
			// an error in the provider" as Configure reads the block, after
			// the validators let it pass; maxRetriesValidator says it on
			// the attribute.
			"max_retries": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: "How many times a request is retried after a timeout, a network error, HTTP 408, 429 " +
					"(honouring `Retry-After`), 500, 502, 503 or 504, or an answer that is not valid JSON. Defaults to `3`; `0` disables retries; at most `10`.",
				Validators: []validator.Number{maxRetriesValidator{}},
			},
			"listing_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long one repository's whole tag listing may take, as a Go duration " +
					"(`5m`, `90s`): every page, concurrent piece, fallback and retry of it together, from its first " +
					"request (reading it again after it was idle starts the time again). Defaults to `5m`. A listing is also bounded at 2,500 pages and 64 MiB of tag lists, " +
					"whatever the registry sends; past any bound the plan fails with an error that names it.",
				Validators: []validator.String{durationValidator},
			},
		},
		Blocks: map[string]schema.Block{
			"registry_auth": schema.ListNestedBlock{
				MarkdownDescription: "Credentials for one registry. Credentials are chosen per host, first match " +
					"wins: a `registry_auth` block for the host, then the Docker config keychain (`DOCKER_CONFIG` or " +
					"`~/.docker/config.json`, with credential helpers, and `DOCKER_AUTH_CONFIG`; without a Docker config " +
					"file, Podman's auth file), then anonymous. `docker.io`, " +
					"`index.docker.io` and `registry-1.docker.io` are one host. Defaults to none: credentials then come from the Docker config keychain " +
					"or Podman's auth file, else access is anonymous.",
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"address": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "The registry host, such as `registry-1.docker.io`, `ghcr.io` or `registry.internal:5000`: one host, as a repository names it, without scheme, path or wildcard, and with its port where the repository names one (`registry.internal` does not apply to `registry.internal:5000`).",
							Validators:          []validator.String{hostValidator},
						},
						"username": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "The user name. Must not be empty, nor start or end in a line break.",
							Validators:          []validator.String{stringvalidator.LengthAtLeast(1), credentialLineValidator("username")},
						},
						"password": schema.StringAttribute{
							Required:  true,
							Sensitive: true,
							MarkdownDescription: "The password or access token (for a token-only login, any non-empty " +
								"`username` with the token here). Must not be empty, nor start or end in a line break: for a token file, " +
								"write `trimspace(file(\"token\"))`, as `file()` keeps the file's last line break. Sensitive: it never appears in logs, " +
								"diagnostics or state.",
							Validators: []validator.String{stringvalidator.LengthAtLeast(1), credentialLineValidator("password")},
						},
					},
				},
			},
		},
	}
}

func (p *prefectImageProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	repository := defaultRepository
	// The environment is only the default: a block that sets repository
	// (known or not) does not read it.
	if env := os.Getenv(repositoryEnv); env != "" && cfg.Repository.IsNull() {
		if _, err := registry.ParseRepository(env); err != nil {
			held, cause, advice := fmt.Sprintf("%q", env), notRepositoryCause(env, err, true), ""
			if registry.HasCredentials(env) {
				held, cause, advice = "a value", err.Error(), ", in a registry_auth block" // not quoted: it holds credentials
			}
			resp.Diagnostics.AddError("Invalid Provider Configuration",
				fmt.Sprintf("The %s environment variable holds %s, which is not a repository: %s%s.", repositoryEnv, held, cause, advice))
			return
		}
		repository = env
	}
	if !cfg.Repository.IsNull() && !cfg.Repository.IsUnknown() {
		repository = cfg.Repository.ValueString()
	}

	rcfg := registry.Config{
		UserAgent:      "terraform-provider-prefectimage/" + p.version,
		RequestTimeout: defaultRequestTimeout,
		MaxRetries:     defaultMaxRetries,
		Logger:         tflogLogger{},
	}
	// A setting known only after apply is left at its default in this run,
	// and the plan says so: a plan that fails on a slow registry would
	// otherwise blame a setting the user believes is in force.
	for _, setting := range []struct {
		name  string
		value attr.Value
	}{{"request_timeout", cfg.RequestTimeout}, {"max_retries", cfg.MaxRetries}, {"listing_timeout", cfg.ListingTimeout}} {
		if setting.value.IsUnknown() {
			resp.Diagnostics.AddAttributeWarning(path.Root(setting.name), "Provider Setting Not Yet Known",
				setting.name+" depends on a value known only after apply, so its default is used in this run.")
		}
	}
	if v := cfg.RequestTimeout; !v.IsNull() && !v.IsUnknown() {
		d, err := time.ParseDuration(v.ValueString())
		if err != nil { // the validator has already said so; keep the default
			d = defaultRequestTimeout
		}
		rcfg.RequestTimeout = d
	}
	if v := cfg.MaxRetries; !v.IsNull() && !v.IsUnknown() {
		if n, acc := v.ValueBigFloat().Int64(); acc == big.Exact && n >= 0 && n <= maxMaxRetries { // else the validator has said so
			rcfg.MaxRetries = int(n)
		}
	}
	if v := cfg.ListingTimeout; !v.IsNull() && !v.IsUnknown() {
		if d, err := time.ParseDuration(v.ValueString()); err == nil { // else the validator has said so
			rcfg.ListingTimeout = d
		}
	}
	if v := cfg.CACertificatePEM; v.IsUnknown() {
		resp.Diagnostics.AddAttributeWarning(path.Root("ca_certificate_pem"),
			"CA Certificate Not Yet Known",
			"ca_certificate_pem depends on a value known only after apply, so it is not trusted in this run: "+
				"registries are verified against the system's CAs alone, and one behind this CA fails to verify until it is known.")
	} else if !v.IsNull() {
		rcfg.CACertPEM = []byte(v.ValueString())
	}
	if !cfg.InsecureRegistries.IsNull() && !cfg.InsecureRegistries.IsUnknown() {
		for i, e := range cfg.InsecureRegistries.Elements() {
			h, ok := e.(types.String)
			if !ok || h.IsNull() {
				continue
			}
			if h.IsUnknown() {
				resp.Diagnostics.AddAttributeWarning(path.Root("insecure_registries").AtListIndex(i),
					"Insecure Registry Not Yet Known",
					"This insecure_registries entry depends on a value known only after apply, so it is not used in this run: "+
						"every registry is reached with full TLS verification instead.")
				continue
			}
			rcfg.InsecureHosts = append(rcfg.InsecureHosts, h.ValueString())
		}
	}
	var auths []registryAuthModel
	var pending pendingCredentials
	const pendingUse = "a prefectimage_pin resource on it that this plan would resolve (created, with a changed selector, or in its first plan after an import) is resolved at apply, " +
		"when the credentials are known; data sources and refreshes reach it with the Docker config keychain or anonymously."
	if cfg.RegistryAuth.IsUnknown() {
		pending.everyHost = true
		resp.Diagnostics.AddAttributeWarning(path.Root("registry_auth"),
			"Registry Credentials Not Yet Known",
			"The registry_auth blocks depend on values known only after apply (a dynamic block's for_each), so they are not used in this plan. "+
				"For every registry, "+pendingUse)
	} else if !cfg.RegistryAuth.IsNull() {
		resp.Diagnostics.Append(cfg.RegistryAuth.ElementsAs(ctx, &auths, false)...)
	}
	var credIndex []int // the block index of each rcfg.Credentials entry
	for i, a := range auths {
		if a.Address.IsUnknown() || a.Username.IsUnknown() || a.Password.IsUnknown() {
			if a.Address.IsUnknown() {
				pending.everyHost = true
			} else {
				pending.hosts = append(pending.hosts, a.Address.ValueString())
			}
			resp.Diagnostics.AddAttributeWarning(path.Root("registry_auth").AtListIndex(i),
				"Registry Credentials Not Yet Known",
				"This registry_auth block depends on values known only after apply, so it is not used in this plan. "+
					"For its registry, "+pendingUse)
			continue
		}
		if j := slices.IndexFunc(rcfg.Credentials, func(c registry.Credential) bool {
			return registry.SameCredentialHost(c.Host, a.Address.ValueString())
		}); j >= 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("registry_auth").AtListIndex(i).AtName("address"),
				"Duplicate Registry Credentials",
				fmt.Sprintf("An earlier registry_auth block (registry_auth[%d], address %q) already gives credentials for %q, and the first block for a host "+
					"is the one used, so this block is ignored. Remove one of them (docker.io, index.docker.io and registry-1.docker.io are one host).",
					credIndex[j], rcfg.Credentials[j].Host, a.Address.ValueString()))
			// Still handed over: the registry client uses the first, and
			// scrubs every configured password from what it says.
		}
		credIndex = append(credIndex, i)
		rcfg.Credentials = append(rcfg.Credentials, registry.Credential{
			Host:     a.Address.ValueString(),
			Username: a.Username.ValueString(),
			Password: a.Password.ValueString(),
		})
	}
	if resp.Diagnostics.HasError() {
		return
	}

	client, err := registry.New(rcfg)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Configure the Registry Client", err.Error())
		return
	}
	data := &providerData{resolver: resolver.New(client, p.resolver...), defaultRepository: repository, repositoryUnknown: cfg.Repository.IsUnknown(), pendingAuth: pending}
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *prefectImageProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewPinResource}
}

func (p *prefectImageProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewPinDataSource, NewReleasesDataSource}
}

func (p *prefectImageProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{NewParseTagFunction, NewSetImageDefaultFunction, NewSetVariableDefaultsFunction}
}

// tflogLogger hands the registry client's debug lines to Terraform's log.
type tflogLogger struct{}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}
