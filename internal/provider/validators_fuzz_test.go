package provider

import (
	"context"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// FuzzValidHost: a registry_auth address or insecure_registries entry
// that validHost accepts is a host the registry client takes
// (registry.New), matches to itself, and go-containerregistry takes as a
// registry; one that a repository can name (it holds '.' or ':', or is
// localhost) names, in host/acme/prefect (host/p where that is over the
// 255 characters of a whole name), a repository on that same host.
// One it refuses says what to write.
func FuzzValidHost(f *testing.F) {
	for _, s := range []string{
		"ghcr.io", "ghcr.io:443", "Registry.Internal:5000", "[::1]:5000", "[::1]", "fe80::1", "::ffff:127.0.0.1",
		"127.0.0.1:5000", "localhost", "docker.io", "registry-1.docker.io:443", "10.0.0.0/8", "ghcr.io:05000",
		"ghcr.io:0", "u:p@ghcr.io", "1.2.3.4:5", "[fe80::1%25eth0]:5000", "myregistry",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := validHost(s)
		if err != nil {
			if !strings.Contains(err.Error(), "registry.internal:5000") {
				t.Fatalf("validHost(%q) = %v: does not say what to write", s, err)
			}
			return
		}
		if _, err := registry.New(registry.Config{InsecureHosts: []string{s}}); err != nil {
			t.Fatalf("validHost(%q) accepted it; the registry client refuses it as an insecure registry: %v", s, err)
		}
		if !registry.SameCredentialHost(s, s) {
			t.Fatalf("validHost(%q) accepted it; the registry client cannot match it to itself", s)
		}
		asRegistry := s
		if ip := net.ParseIP(s); ip != nil && strings.Contains(s, ":") {
			asRegistry = "[" + s + "]" // a bare IPv6 address, read as bracketed
		}
		if _, err := name.NewRegistry(asRegistry, name.StrictValidation); err != nil {
			t.Fatalf("validHost(%q) accepted it; go-containerregistry refuses it: %v", s, err)
		}
		if u, err := url.Parse("https://" + asRegistry + "/v2/"); err != nil || !strings.EqualFold(u.Host, asRegistry) {
			t.Fatalf("validHost(%q) accepted it; as a URL's host it reads as %v, %v", s, u, err)
		}
		if asRegistry != s || !strings.ContainsAny(s, ".:") && !strings.EqualFold(s, "localhost") {
			return
		}
		if len(asRegistry) > maxHostLen {
			t.Fatalf("validHost(%q) accepted a host of %d characters; no repository's name can hold it", s, len(asRegistry))
		}
		repo := s + "/acme/prefect"
		if len(repo) > registry.MaxRepositoryLen {
			repo = s + "/p" // the shortest path: a repository's whole name is at most 255 characters
		}
		r, err := registry.ParseRepository(repo)
		if err != nil {
			t.Fatalf("validHost(%q) accepted it; the repository %q does not parse: %v", s, repo, err)
		}
		if !registry.SameCredentialHost(r.Host(), s) {
			t.Fatalf("validHost(%q) accepted it; the repository %q is on %q, another host", s, repo, r.Host())
		}
	})
}

// platformAdvice is what a platform error tells the user to write.
var platformAdvice = regexp.MustCompile(`: write "?([^" ]+)"?$`)

// FuzzCheckPlatform: a platform that checkPlatform accepts is os/arch or
// os/arch/variant as an image index writes it: go-containerregistry
// parses it into the same os, architecture and variant, and an index
// entry of it provides it. One it refuses with a platform to write
// instead names a platform it accepts.
func FuzzCheckPlatform(f *testing.F) {
	for _, s := range []string{
		"linux/amd64", "linux/arm64/v8", "linux/arm/v7", "Linux/AMD64", " linux/arm64", "linux/x86_64",
		"macos/arm64", "macos/x86_64", "linux/armhf/v7", "windows/amd64/10.0.17763", "unknown/unknown",
		"linux", "linux/amd64/v1/x", "linux//amd64", "x86_64/linux",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := checkPlatform(s)
		if err != nil {
			if m := platformAdvice.FindStringSubmatch(err.Error()); m != nil {
				if err2 := checkPlatform(m[1]); err2 != nil {
					t.Fatalf("checkPlatform(%q) = %v; the platform it says to write, %q, is refused too: %v", s, err, m[1], err2)
				}
			}
			return
		}
		parts := strings.Split(s, "/")
		if len(parts) < 2 || len(parts) > 3 || strings.ToLower(s) != s || strings.TrimSpace(s) != s {
			t.Fatalf("checkPlatform(%q) accepted it; it is not os/arch[/variant] in lower case", s)
		}
		p, err := v1.ParsePlatform(s)
		if err != nil {
			t.Fatalf("checkPlatform(%q) accepted it; go-containerregistry does not parse it: %v", s, err)
		}
		variant := ""
		if len(parts) == 3 {
			variant = parts[2]
		}
		if p.OS != parts[0] || p.Architecture != parts[1] || p.Variant != variant || p.OSVersion != "" || p.String() != s {
			t.Fatalf("checkPlatform(%q) accepted it; go-containerregistry reads it as %+v (%s)", s, p, p.String())
		}
		if !resolver.Provides(map[string]string{s: "sha256:x"}, s) {
			t.Fatalf("checkPlatform(%q) accepted it; an index entry of it does not provide it", s)
		}
	})
}

// FuzzDurationValidator: a request_timeout or listing_timeout that the
// validator takes is one Configure reads (time.ParseDuration) as a
// positive duration, and that duration written as Go writes it is taken
// and read back the same; the validator refuses every other string.
func FuzzDurationValidator(f *testing.F) {
	for _, s := range []string{"30s", "5m", "1h30m", "0s", "-1s", "1.5m", "2562047h47m16.854775807s", "2562048h", "1e3s", "300", " 30s", ".5s", "1ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := durationValidator.check(s)
		d, perr := time.ParseDuration(s)
		if (err == nil) != (perr == nil && d > 0) {
			t.Fatalf("durationValidator(%q) = %v; Configure reads it as %s, %v", s, err, d, perr)
		}
		if err != nil {
			if !strings.Contains(err.Error(), `"30s"`) {
				t.Fatalf("durationValidator(%q) = %v: does not say what to write", s, err)
			}
			return
		}
		if err := durationValidator.check(d.String()); err != nil {
			t.Fatalf("durationValidator(%q) took it; %s, the same duration as Go writes it, is refused: %v", s, d, err)
		}
		if again, _ := time.ParseDuration(d.String()); again != d {
			t.Fatalf("durationValidator(%q): %s reads back as %s", s, d, again)
		}
	})
}

var (
	suggestedVersion = regexp.MustCompile(`(?:prefect_version = |write |\(or )("(?:[^"\\]|\\.)*")`)
	suggestedTag     = regexp.MustCompile(`tag = ("(?:[^"\\]|\\.)*")`)
)

// FuzzShortPrefectVersionAdvice: the prefect_version values the warning
// on a short exact version ("3.4") tells the user to write are
// constraints that draw no such warning, and the tag it tells them to
// write is a tag.
func FuzzShortPrefectVersionAdvice(f *testing.F) {
	for _, s := range []string{"3.4", "= 3.4", "==3.4", "3", "2.2", "v3.4", "3.4.0", "==3.4.*", "1!3.4", "03.4", "3.4+local"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, listing bool) {
		warnings := func(s string) diag.Diagnostics {
			resp := &validator.StringResponse{}
			shortPrefectVersion{listing: listing}.ValidateString(context.Background(),
				validator.StringRequest{Path: path.Root("prefect_version"), ConfigValue: types.StringValue(s)}, resp)
			return resp.Diagnostics
		}
		diags := warnings(s)
		if diags.HasError() || len(diags) == 0 {
			return
		}
		detail := diags[0].Detail()
		for _, m := range suggestedVersion.FindAllStringSubmatch(detail, -1) {
			v, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("prefect_version %q: the warning suggests %s, which does not unquote: %v", s, m[1], err)
			}
			if err := versionConstraintValidator.check(v); err != nil {
				t.Fatalf("prefect_version %q: the warning suggests %q, which is refused: %v\n%s", s, v, err, detail)
			}
			if again := warnings(v); len(again) != 0 && v != s {
				t.Fatalf("prefect_version %q: the warning suggests %q, which is warned about in turn: %v", s, v, again)
			}
		}
		for _, m := range suggestedTag.FindAllStringSubmatch(detail, -1) {
			tag, err := strconv.Unquote(m[1])
			if err != nil || registry.ValidateTag(tag) != nil {
				t.Fatalf("prefect_version %q: the warning suggests tag = %s, which is no tag (%v)\n%s", s, m[1], err, detail)
			}
		}
	})
}
