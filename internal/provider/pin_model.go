package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// selector is the user's selector as written in configuration, nulls as
// empty strings. The resource keeps it in private state to tell a changed
// selector from upstream drift.
type selector struct {
	Repository       string `json:"repository,omitempty"`
	PrefectVersion   string `json:"prefect_version,omitempty"`
	PythonVersion    string `json:"python_version,omitempty"`
	Flavor           string `json:"flavor,omitempty"`
	AllowPrereleases bool   `json:"allow_prereleases,omitempty"`
	Tag              string `json:"tag,omitempty"`
	Platform         string `json:"platform,omitempty"`
}

// selectorOf reads the selector of a configuration. ok is false when a part
// of it is not known yet (it depends on another resource).
func selectorOf(m pinModel) (sel selector, ok bool) {
	for _, v := range []types.String{m.Repository, m.PrefectVersion, m.PythonVersion, m.Flavor, m.Tag, m.Platform} {
		if v.IsUnknown() {
			return selector{}, false
		}
	}
	if m.AllowPrereleases.IsUnknown() {
		return selector{}, false
	}
	return selector{
		Repository:       m.Repository.ValueString(),
		PrefectVersion:   m.PrefectVersion.ValueString(),
		PythonVersion:    m.PythonVersion.ValueString(),
		Flavor:           m.Flavor.ValueString(),
		AllowPrereleases: m.AllowPrereleases.ValueBool(),
		Tag:              m.Tag.ValueString(),
		Platform:         m.Platform.ValueString(),
	}, true
}

// effective fills in the defaults a selector leaves out, so that writing a
// default out (flavor = "standard", the provider's repository) is no change,
// and a change of the provider's repository is one.
func (s selector) effective(defaultRepository string) selector {
	if s.Repository == "" {
		s.Repository = defaultRepository
	}
	if s.Flavor == "" && s.Tag == "" {
		s.Flavor = string(prefecttag.FlavorStandard)
	}
	return s
}

// request turns a selector into a resolver request. The validators have
// already checked every part, so a parse error here is a bug worth showing.
func (s selector) request(defaultRepository string) (resolver.Request, error) {
	req := resolver.Request{Repository: s.Repository, Tag: s.Tag, Platform: s.Platform}
	if req.Repository == "" {
		req.Repository = defaultRepository
	}
	if s.Tag != "" {
		return req, nil
	}
	var err error
	req.Selector, err = prefecttag.ParseSelector(s.PrefectVersion, s.PythonVersion, s.Flavor, s.AllowPrereleases)
	return req, err
}

// setResults writes a resolved pin, and the selector's filled-in defaults,
// into the model.
func (m *pinModel) setResults(ctx context.Context, req resolver.Request, p resolver.Pin) diag.Diagnostics {
	m.Repository = types.StringValue(req.Repository)
	m.Tag = types.StringValue(p.Tag)
	m.Flavor = optionalString(p.Flavor)
	if m.AllowPrereleases.IsNull() || m.AllowPrereleases.IsUnknown() {
		m.AllowPrereleases = types.BoolValue(false)
	}
	m.Digest = types.StringValue(p.Digest)
	m.Ref = types.StringValue(p.Ref)
	m.TaggedRef = optionalString(p.TaggedRef)
	m.ResolvedPrefectVersion = optionalString(p.PrefectVersion)
	m.ResolvedPythonVersion = optionalString(p.PythonVersion)
	m.PlatformDigest = optionalString(p.PlatformDigest)
	m.PlatformRef = optionalString(p.PlatformRef)
	if p.PlatformDigests == nil {
		m.PlatformDigests = types.MapNull(types.StringType)
		return nil
	}
	var diags diag.Diagnostics
	m.PlatformDigests, diags = types.MapValueFrom(ctx, types.StringType, p.PlatformDigests)
	return diags
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// resolveErrorSummary gives a failed resolution a short title naming what
// failed; the error itself is the detail (registry errors already name the
// registry, repository, request, status and what to do).
func resolveErrorSummary(err error) string {
	var noMatch *resolver.NoMatchError
	var platform *resolver.PlatformError
	switch {
	case errors.As(err, &noMatch):
		return "No Prefect Image Matches the Selector"
	case errors.As(err, &platform):
		return "Platform Not Published for the Image"
	case registry.IsUnauthorized(err):
		return "Registry Refused the Credentials"
	case registry.IsRateLimited(err):
		return "Registry Rate Limit Reached"
	case registry.IsNotFound(err):
		return "Image Tag Not Found"
	default:
		return "Unable to Resolve Prefect Image"
	}
}
