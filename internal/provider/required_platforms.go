package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// required_platforms: the Terraform side of resolver.MissingPlatforms. The
// resolver decides whether an image provides a platform; this file reads
// the attribute and says, in the words of a configuration, what to do.

var _ validator.List = platformListValidator{}

// platformListValidator checks each entry of required_platforms as
// platformValidator checks platform, and that none is listed twice.
type platformListValidator struct{}

func (platformListValidator) Description(context.Context) string {
	return "each element must be os/arch or os/arch/variant, such as linux/amd64 or linux/arm64/v8, listed once"
}

func (v platformListValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (platformListValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	seen := map[string]int{}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			continue
		}
		at := req.Path.AtListIndex(i)
		if s.IsNull() {
			resp.Diagnostics.AddAttributeError(at, "Invalid Platform",
				fmt.Sprintf("required_platforms[%d] is null; list platforms such as \"linux/amd64\", or leave required_platforms out to require none.", i))
			continue
		}
		p := s.ValueString()
		if err := platformValidator.check(p); err != nil {
			resp.Diagnostics.AddAttributeError(at, "Invalid Platform", fmt.Sprintf("required_platforms[%d]: %s", i, err))
			continue
		}
		if first, dup := seen[p]; dup {
			resp.Diagnostics.AddAttributeError(at, "Duplicate Platform",
				fmt.Sprintf("required_platforms lists %q twice, at index %d and %d; list each platform once.", p, first, i))
			continue
		}
		seen[p] = i
	}
}

// requiredPlatformsOf reads required_platforms; nil when it is null or
// empty. known is false when it, or an entry of it, is not known yet.
func requiredPlatformsOf(m pinModel) (required []string, known bool) {
	if m.RequiredPlatforms.IsUnknown() {
		return nil, false
	}
	for _, e := range m.RequiredPlatforms.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return nil, false
		}
		if !s.IsNull() {
			required = append(required, s.ValueString())
		}
	}
	return required, true
}

// platformsOf reads a platform_digests value; nil when null or unknown.
func platformsOf(m types.Map) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok {
			out[k] = s.ValueString()
		}
	}
	return out
}

// missingPlatformsDetail is the detail of the error of a data source, or of
// a resource being created or given a new selector, whose image lacks a
// required platform: the image, what it has and lacks, and what to do.
func missingPlatformsDetail(e *resolver.MissingPlatformsError, sel selector, isResource bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s lacks the required %s; it has %s, so a worker on %s could not run it. ",
		e.Ref(), strings.Join(e.Missing, ", "), e.Has(), strings.Join(e.Missing, " or "))
	b.WriteString(excludeAdvice(e.PrefectVersion, sel))
	if isResource {
		b.WriteString(" Once created, a pin with required_platforms holds its last good image when upstream moves to one that lacks a platform.")
	} else {
		b.WriteString(" Or use the prefectimage_pin resource in place of this data source: it holds the last good image when upstream moves to one that lacks a platform, and warns.")
	}
	return b.String()
}

// excludeAdvice says how to leave a release out of the selection: a != in
// prefect_version (the same in Terraform's and PEP 440's syntax), another
// version where prefect_version names exactly one, or another tag.
func excludeAdvice(version string, sel selector) string {
	const orRemove = " Or remove the platform from required_platforms if no worker needs it."
	if version == "" || sel.Tag != "" {
		return "Choose another tag." + orRemove
	}
	// A constraint with an equality ("3.1.15", and "3.1" or "3.1.15, !=
	// 3.1.14" too, which Exact does not report) admits one version: adding
	// "!=" to it would leave nothing.
	if c, err := prefecttag.ParseConstraint(sel.PrefectVersion); err == nil && c.NamesOneVersion() {
		return "Choose another version in prefect_version." + orRemove
	}
	constraint := "!= " + version
	if c := strings.TrimSpace(sel.PrefectVersion); c != "" {
		constraint = c + ", " + constraint
	}
	return fmt.Sprintf("Exclude this release until upstream publishes the platform again: prefect_version = %q.", constraint) + orRemove
}

// platformChangesSentence names each platform added, removed or changed
// between the pin's platforms and upstream's, as a sentence to append to a
// drift text; "" when the pin has no platform_digests or nothing changed.
func platformChangesSentence(pinned types.Map, upstream map[string]string) string {
	if pinned.IsNull() || pinned.IsUnknown() {
		return ""
	}
	if changes := resolver.PlatformChanges(platformsOf(pinned), upstream); changes != "" {
		return " Platforms: " + changes + "."
	}
	return ""
}
