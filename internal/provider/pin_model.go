package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
	// Imported marks the selector an import records: the pinned tag, to
	// watch until an apply records the configured selector.
	Imported bool `json:"imported,omitempty"`
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

// resolveErrorDetail is the detail of a failed resolution: the error, which
// says what the registry did, and what to change in Terraform about it.
func resolveErrorDetail(err error) string {
	detail := err.Error()
	var e *registry.Error
	if !errors.As(err, &e) {
		return detail
	}
	var limit *registry.LimitError
	switch {
	case e.CredentialsUnreadable():
		detail += fmt.Sprintf(" Or add a registry_auth block for %s, which is used before the Docker config.", e.Registry)
	case e.CertificateUnverified():
		detail += certificateAdvice(e)
	case e.PlainHTTP():
		detail += fmt.Sprintf(" If %s serves plain HTTP and you trust the network, list it in insecure_registries.", e.PlainHTTPHost())
	case e.RedirectRefused():
		detail += " If the registry really is where it redirects (its canonical host, say), write repository with that host and path; otherwise ask the registry's operator: retrying gets the same redirect."
	case e.NoRegistryAPI():
		detail += " Write repository with the registry's own host before the first '/', such as ghcr.io/acme/prefect or registry.gitlab.com/acme/prefect."
	case e.TokenInvalid():
		// The registry's own setup: the error says so, and neither the
		// repository's name nor the credentials can mend it.
	case e.TokenRefused():
		detail += fmt.Sprintf(" Check the repository's name; if it is private, credentials that may pull it come from a registry_auth block for %s, else the Docker config (DOCKER_CONFIG or ~/.docker/config.json, with credential helpers), else anonymous access.", e.Registry)
	case registry.IsUnauthorized(err):
		detail += fmt.Sprintf(" Credentials come from a registry_auth block for %s, else the Docker config (DOCKER_CONFIG or ~/.docker/config.json, with credential helpers), else anonymous access.", e.Registry)
	case registry.IsRateLimited(err):
		mirror := fmt.Sprintf("use a mirror, such as repository = %q. Retries honour Retry-After within request_timeout × (max_retries + 1)",
			"mirror.example/"+strings.TrimPrefix(e.Repository, e.Registry+"/"))
		// Telling a plan that sent credentials to authenticate sent users
		// looking for credentials they had given.
		accounts := "so the limit is that account's: wait for it to lift, ask the registry's operator for a higher one, or " + mirror
		switch from := e.CredentialsFrom(); {
		case e.ConfiguredCredentials():
			detail += fmt.Sprintf(" The requests used the registry_auth block for %s, %s", e.Registry, accounts)
		case from != "":
			detail += fmt.Sprintf(" The requests used credentials from %s, %s", from, accounts)
		default:
			detail += fmt.Sprintf(" Authenticate for a higher limit (a registry_auth block for %s, or docker login), or %s", e.Registry, mirror)
		}
		if e.WaitPastListingTimeout() {
			detail += ", and a tag listing's within listing_timeout too: raise listing_timeout in the provider block to wait as long as the registry asks."
		} else {
			detail += "."
		}
	case errors.As(err, &limit) && limit.Bound == "tags", errors.As(err, new(*registry.UnreadableListError)):
		// The registry lists part of the repository, or pages its list so
		// that no client reads it whole: a pin by tag needs no list.
		detail += " Name one exact tag with tag, which is resolved without listing, or point repository at a registry that lists every tag, such as Docker Hub's prefecthq/prefect."
	case errors.As(err, &limit) && limit.Bound == "time":
		detail += " Raise listing_timeout in the provider block if the registry is slow but its list does end."
	case errors.As(err, &limit):
		detail += " The bound is fixed: a repository listing that passes it is misbehaving; point repository at a mirror that lists sanely."
	case e.WaitPastListingTimeout():
		detail += " A tag listing waits for Retry-After only within listing_timeout: raise it in the provider block to wait as long as the registry asks."
	case e.RetriesSpent():
		detail += " Raise request_timeout or max_retries in the provider block if the registry is slow or flaky."
	}
	return detail
}

// certificateAdvice says what mends a registry certificate that could not
// be verified. Trusting the CA that signed it mends an unknown CA, but not
// a certificate issued for other names than the registry's host, nor one
// out of date: crypto/x509 checks those first, so the advice to add the CA
// sent users who had done so in a circle.
func certificateAdvice(e *registry.Error) string {
	// The host whose certificate failed: the registry, or its token
	// service or a host it redirected to, which the registry's listing in
	// insecure_registries does not cover.
	host := e.CertificateHost()
	whose := "the registry's certificate"
	if host != e.Registry {
		whose = "the certificate of " + host
	}
	insecure := fmt.Sprintf("; or list %s in insecure_registries if you trust the network.", host)
	if named, names, ok := e.CertificateNotForHost(); ok {
		if len(names) == 0 {
			return fmt.Sprintf(" The certificate is issued for no host name or IP address (it has no subject alternative name): have %s reissued for %s%s", whose, named, insecure)
		}
		if len(names) > 5 {
			names = append(names[:5:5], "…")
		}
		if host != e.Registry {
			// A name the registry chose (its token service's realm), not
			// one written in repository.
			return fmt.Sprintf(" The certificate is issued for %s, not for %s: have %s reissued for %s%s", strings.Join(names, ", "), named, whose, named, insecure)
		}
		return fmt.Sprintf(" The certificate is issued for %s, not for %s: write repository with a name it is issued for, or have the registry's certificate reissued for %s%s", strings.Join(names, ", "), named, named, insecure)
	}
	if e.CertificateOutOfDate() {
		return fmt.Sprintf(" The certificate has expired or is not yet valid: renew %s, or correct this machine's clock if it is wrong%s", whose, insecure)
	}
	return fmt.Sprintf(" Add the CA that signed it with ca_certificate_pem in the provider block, or list %s in insecure_registries if you trust the network.", host)
}

// addResolveError adds a failed resolution of sel to diags, on the
// attribute it is about where there is one, so that Terraform points at
// that line: platform, required_platforms, tag for a tag that does not
// exist, or repository, when the pin names one, for a repository that does
// not exist. A selector that matches nothing is about the four selector
// attributes together, so it stays on the block. written: the pin's own
// configuration names its repository (sel may hold the provider's).
func addResolveError(diags *diag.Diagnostics, err error, sel selector, written, forResource bool, note ...string) {
	summary, detail := resolveErrorSummary(err), pinErrorDetail(err, sel, forResource)+strings.Join(note, "")
	var platform *resolver.PlatformError
	var missing *resolver.MissingPlatformsError
	switch {
	case errors.As(err, &platform):
		diags.AddAttributeError(path.Root("platform"), summary, detail)
	case errors.As(err, &missing):
		diags.AddAttributeError(path.Root("required_platforms"), summary, detail)
	case written && repositoryNotFound(err):
		diags.AddAttributeError(path.Root("repository"), summary, detail)
	case sel.Tag != "" && registry.IsNotFound(err) && !manifestNotFound(err):
		var split *prefecttag.PythonPartSplitError
		if _, perr := prefecttag.ParseTag(sel.Tag); errors.As(perr, &split) {
			// tag takes any image tag, so this one passed validation.
			detail += fmt.Sprintf(` Prefect writes a tag's Python part with no "-" inside it: did you mean %s?`, split.Fixed)
		}
		diags.AddAttributeError(path.Root("tag"), summary, detail)
	default:
		diags.AddError(summary, detail)
	}
}

// resolveErrorSummary gives a failed resolution a short title naming what
// failed; the error itself is the detail (registry errors already name the
// registry, repository, request, status and what to do).
func resolveErrorSummary(err error) string {
	var noMatch *resolver.NoMatchError
	var platform *resolver.PlatformError
	var missing *resolver.MissingPlatformsError
	switch {
	case errors.As(err, &noMatch):
		return "No Prefect Image Matches the Selector"
	case errors.As(err, &platform) && len(platform.Ambiguous) > 1:
		return "Platform Published Twice in the Image"
	case errors.As(err, &platform):
		return "Platform Not Published for the Image"
	case errors.As(err, &missing):
		return "Image Lacks Required Platforms"
	case credentialsUnreadable(err):
		return "Registry Credentials Unreadable"
	case tokenInvalid(err):
		return "Registry Refused Its Token Service's Token"
	case tokenRefused(err):
		return "Registry Denied Access to the Repository"
	case registry.IsUnauthorized(err):
		return "Registry Refused the Credentials"
	case registry.IsRateLimited(err):
		return "Registry Rate Limit Reached"
	case manifestNotFound(err):
		return "Image Manifest Not Found"
	case repositoryNotFound(err):
		return "Repository Not Found"
	case registry.IsNotFound(err):
		return "Image Tag Not Found"
	case errors.As(err, new(*registry.LimitError)):
		return "Registry Tag Listing Exceeded Its Bounds"
	case errors.As(err, new(*registry.UnreadableListError)):
		return "Registry Tag List Cannot Be Read Whole"
	default:
		return unresolvedTitle
	}
}

// unresolvedTitle is the title of a failure no case above names: a registry
// that answers with faults, or cannot be reached.
const unresolvedTitle = "Unable to Resolve Prefect Image"

// credentialsUnreadable reports whether err is a Docker config, credential
// helper or Podman auth file that could not be read: neither the registry
// nor the repository is at fault, so it is not "Unable to Resolve".
func credentialsUnreadable(err error) bool {
	var e *registry.Error
	return errors.As(err, &e) && e.CredentialsUnreadable()
}

// tokenRefused reports whether err is a 401 or 403 to the token the
// registry's own token service issued: the credentials (or anonymous
// access) were accepted, and the repository does not exist or they may not
// pull it (Docker Hub's answer for a repository that does not exist).
func tokenRefused(err error) bool {
	var e *registry.Error
	return errors.As(err, &e) && e.TokenRefused()
}

// tokenInvalid reports whether err is a 401, error="invalid_token", to
// the token the registry's own token service had just issued: the
// registry does not accept that service's tokens.
func tokenInvalid(err error) bool {
	var e *registry.Error
	return errors.As(err, &e) && e.TokenInvalid()
}

// manifestNotFound reports whether err is a 404 to a manifest asked for by
// digest (its platforms, read after the tag's HEAD found it): the tag
// exists, so "Image Tag Not Found", on tag, would mislead.
func manifestNotFound(err error) bool {
	var e *registry.Error
	return registry.IsNotFound(err) && errors.As(err, &e) && e.ByDigest()
}

// repositoryNotFound reports whether err is a 404 to the tag list: the
// repository does not exist, and no tag (none may have been given) is
// to blame.
func repositoryNotFound(err error) bool {
	var e *registry.Error
	return registry.IsNotFound(err) && errors.As(err, &e) && e.Listing()
}

// pinErrorDetail is the detail of a failed resolution of sel: what to do
// in the configuration when the image lacks a required platform, else
// resolveErrorDetail's.
func pinErrorDetail(err error, sel selector, isResource bool) string {
	var missing *resolver.MissingPlatformsError
	if errors.As(err, &missing) {
		return missingPlatformsDetail(missing, sel, isResource)
	}
	return resolveErrorDetail(err)
}
