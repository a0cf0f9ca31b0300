package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// prefect_version "3.4" is exactly 3.4.0, which users mistake for Prefect's
// moving tag 3.4-python3.12: a warning (never an error) says what it
// selects and what to write instead. Constraints that already range over
// releases, or name a full version, draw none.
func TestShortPrefectVersionWarns(t *testing.T) {
	tests := []struct {
		in   string
		want []string // substrings of the warning; nil for no warning
	}{
		{"3.4", []string{`prefect_version "3.4" means exactly 3.4.0`, `prefect_version = "~> 3.4.0"`,
			`tag = "3.4-python3.12"`, `write "3.4.0"`, `newest 3.4.z`}},
		{"= 3.4", []string{`"= 3.4" means exactly 3.4.0`, `"~> 3.4.0"`}},
		{"==3.4", []string{`"==3.4" means exactly 3.4.0`, `"~> 3.4.0"`}},
		{"3", []string{`"3" means exactly 3.0.0`, `newest 3.y.z`, `prefect_version = "~> 3.0"`, `tag = "3-python3.12"`, `write "3.0.0"`}},
		// What Terraform makes of prefect_version = 2.20 without quotes.
		{"2.2", []string{`"2.2" means exactly 2.2.0`, `prefect_version = 2.20 without quotes, Terraform read it as the number 2.2: quote it`}},
		{"3.4.0", nil},
		{"==3.4.0", nil},
		{"3.1.15", nil},
		{"==3.4.*", nil},
		{"~> 3.4", nil},
		{"~> 3.4.0", nil},
		{"~=3.4", nil},
		{">= 3.4", nil},
		{"!= 3.4", nil},
		{"2.0b8", nil},
		{"3.4, != 3.4.1", nil},
		{"~> banana", nil}, // the constraint validator's error says so
	}
	for _, tt := range tests {
		resp := &validator.StringResponse{}
		shortPrefectVersion{}.ValidateString(context.Background(),
			validator.StringRequest{Path: path.Root("prefect_version"), ConfigValue: types.StringValue(tt.in)}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%q: an error, want at most a warning: %v", tt.in, resp.Diagnostics)
		}
		warnings := resp.Diagnostics.Warnings()
		if tt.want == nil {
			if len(warnings) != 0 {
				t.Errorf("%q: warned %q: %q, want no warning", tt.in, warnings[0].Summary(), warnings[0].Detail())
			}
			continue
		}
		if len(warnings) != 1 {
			t.Fatalf("%q: %d warnings, want 1: %v", tt.in, len(warnings), resp.Diagnostics)
		}
		w := warnings[0]
		if w.Summary() != "Prefect Version Names One Exact Release" {
			t.Errorf("%q: summary %q", tt.in, w.Summary())
		}
		for _, s := range tt.want {
			if !strings.Contains(w.Detail(), s) {
				t.Errorf("%q: warning lacks %q:\n%s", tt.in, s, w.Detail())
			}
		}
		if strings.Contains(tt.in, "=") && strings.Contains(w.Detail(), "without quotes") {
			t.Errorf("%q: a constraint with an operator was never a number, yet the warning speaks of quotes:\n%s", tt.in, w.Detail())
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		resp := &validator.StringResponse{}
		shortPrefectVersion{}.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("prefect_version"), ConfigValue: v}, resp)
		if len(resp.Diagnostics) != 0 {
			t.Errorf("%v: %v, want nothing", v, resp.Diagnostics)
		}
	}
}

// The releases data source's warning speaks of listing: "3" lists 3.0.0
// alone, "~> 3.0" or "==3.*" every 3.y.z; it names no tag attribute, which
// that data source has not.
func TestShortPrefectVersionWarnsForListing(t *testing.T) {
	for in, want := range map[string][]string{
		"3":     {`"3" means exactly 3.0.0`, `only 3.0.0 is listed, not every 3.y.z`, `prefect_version = "~> 3.0" (or "==3.*")`, `write "3.0.0"`},
		"==3.4": {`"==3.4" means exactly 3.4.0`, `"~> 3.4.0" (or "==3.4.*")`},
		"2.2":   {`only 2.2.0 is listed`, `prefect_version = 2.20 without quotes, Terraform read it as the number 2.2: quote it`},
		"3.4.0": nil,
	} {
		resp := &validator.StringResponse{}
		shortPrefectVersion{listing: true}.ValidateString(context.Background(),
			validator.StringRequest{Path: path.Root("prefect_version"), ConfigValue: types.StringValue(in)}, resp)
		warnings := resp.Diagnostics.Warnings()
		if len(warnings) != min(len(want), 1) || resp.Diagnostics.HasError() {
			t.Fatalf("%q: %v, want %d warning", in, resp.Diagnostics, min(len(want), 1))
		}
		for _, s := range want {
			if d := warnings[0].Detail(); !strings.Contains(d, s) || strings.Contains(d, "tag =") {
				t.Errorf("%q: warning lacks %q or names tag:\n%s", in, s, d)
			}
		}
	}
}

// An insecure_registries entry copied from docker's daemon.json, which
// takes CIDR ranges ("10.0.0.0/8"), is refused saying that it is a range
// and that each entry is one host, not that it has a path.
func TestValidHostRefusesCIDRAsARange(t *testing.T) {
	for _, s := range []string{"10.0.0.0/8", "192.168.1.0/24", "127.0.0.0/8", "fd00::/8"} {
		err := validHost(s)
		if err == nil {
			t.Errorf("validHost(%q) = nil, want an error", s)
			continue
		}
		for _, want := range []string{"CIDR range", "one registry host", "registry.internal:5000"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("validHost(%q) = %v: does not say %q", s, err, want)
			}
		}
	}
}

// The platform a platform error says to write is one the validator
// accepts: "macos/x86_64" said to write darwin/x86_64, which it then
// refused in turn for its architecture, and an architecture where the OS
// goes ("x86_64/linux") was advised as the OS amd64 ("write amd64/linux").
// Found by FuzzCheckPlatform.
func TestPlatformAdviceIsAccepted(t *testing.T) {
	for p, want := range map[string]string{
		"macos/x86_64":        "write darwin/amd64",
		"macos/aarch64/v8":    "write darwin/arm64",
		"macos/armhf":         "write darwin/arm/v7",
		"macos/arm64/v8":      "write darwin/arm64/v8",
		"macos/arm64/10.0.17": "write darwin/arm64",
		"x86_64/linux":        "names an architecture where the OS goes; write os/arch, such as linux/amd64",
		"armhf/linux/v7":      "names an architecture where the OS goes; write os/arch, such as linux/amd64",
		"linux/macos":         "names an OS where the architecture goes; write os/arch, such as darwin/arm64",
	} {
		err := checkPlatform(p)
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("platform %q: %v, want an error ending %q", p, err, want)
		}
	}
}

// A bare IPv6 address in insecure_registries or a registry_auth address
// is taken only when a repository can name it between brackets, and then
// the registry client takes it too: "fe80::abcd" passed validate and then
// failed Configure off the attribute (the registry client read ":abcd" as
// a port), and its registry_auth credentials matched no host; an
// IPv4-mapped address ("::ffff:127.0.0.1"), which no repository can name,
// was taken. Found by FuzzValidHost.
func TestValidHostBareIPv6(t *testing.T) {
	for _, h := range []string{"fe80::abcd", "2001:db8::cafe", "FE80::ABCD", "::1", "2001:db8::"} {
		if err := validHost(h); err != nil {
			t.Errorf("validHost(%q) = %v, want nil", h, err)
			continue
		}
		if _, err := registry.New(registry.Config{InsecureHosts: []string{h}}); err != nil {
			t.Errorf("validHost(%q) accepted it; the registry client refuses it: %v", h, err)
		}
		if !registry.SameCredentialHost(h, "["+h+"]") || !registry.SameCredentialHost(h, h) {
			t.Errorf("registry_auth address %q does not match its registry [%s]", h, h)
		}
	}
	for _, h := range []string{"::ffff:127.0.0.1", "::127.0.0.1x"} {
		if err := validHost(h); err == nil || !strings.Contains(err.Error(), "registry.internal:5000") {
			t.Errorf("validHost(%q) = %v, want an error saying what to write", h, err)
		}
	}
}

// A refused repository is named once, with one piece of advice: the
// validator wrapped the parser's message, which names the value and says
// what to write already, so `repository = "https://docker.io/…"` read
// `"https://…" is not a repository: "https://…" includes a URL scheme;
// write … . Write it as …`.
func TestRepositoryErrorNamesTheValueOnce(t *testing.T) {
	for value, advises := range map[string]string{
		"https://docker.io/prefecthq/prefect": "write the repository without it",
		"prefecthq/prefect:3-latest":          "write the repository alone",
		"PrefectHQ/prefect":                   `write "prefecthq/prefect"`,
		"ghcr.io":                             "write host/path",
		"registry:port/prefect":               "Write it as prefecthq/prefect",
	} {
		namedOnceAdvisedOnce(t, repositoryValidator, value, advises)
	}
}

// A refused flavor is named once: `flavor "Conda" is not a Prefect image
// flavor: invalid flavor "Conda": want one of …` named it twice, and did
// not say that flavors are written in lower case.
func TestFlavorErrorNamesTheValueOnce(t *testing.T) {
	namedOnceAdvisedOnce(t, flavorValidator, "Conda", `write "conda"`)
	namedOnceAdvisedOnce(t, flavorValidator, "slim", `"standard", "conda" or "kubernetes"`)
}

func namedOnceAdvisedOnce(t *testing.T, v stringCheck, value, advises string) {
	t.Helper()
	err := v.check(value)
	if err == nil {
		t.Errorf("%q: no error", value)
		return
	}
	msg := err.Error()
	if n := strings.Count(msg, `"`+value+`"`); n != 1 {
		t.Errorf("%q named %d times: %s", value, n, msg)
	}
	if n := strings.Count(strings.ToLower(msg), "write "); n != 1 || !strings.Contains(msg, advises) {
		t.Errorf("%q: %d pieces of advice, want one saying %q: %s", value, n, advises, msg)
	}
}
