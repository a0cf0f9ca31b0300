package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A registry_auth address or insecure_registries entry is a host that a
// repository can name; one that no repository can name ("ghcr.io?x",
// "ghcr.io:5000:1", a wildcard) matched no registry, so its credentials
// went unused in silence, or Configure failed off the attribute.
func TestValidHostOnlyHostsARepositoryCanName(t *testing.T) {
	for _, h := range []string{"ghcr.io", "ghcr.io:443", "registry.internal:5000", "Registry.Internal:5000",
		"[::1]:5000", "[::1]", "fe80::1", "127.0.0.1:5000", "localhost", "docker.io", "registry-1.docker.io",
		longHost(maxHostLen)} {
		if err := validHost(h); err != nil {
			t.Errorf("validHost(%q) = %v, want nil", h, err)
		}
		if !registry.SameCredentialHost(h, h) {
			t.Errorf("validHost accepts %q, which the registry client cannot match", h)
		}
	}
	for _, h := range []string{"ghcr.io?x", "ghcr.io#x", "ghcr.io:5000:1", "*.internal", "-bad.internal", "ghcr.io\t",
		"ghcr.io:", ":5000", "https://ghcr.io", "ghcr.io/", "", "a b", "[::1", "ghcr.io:0", longHost(maxHostLen + 1)} {
		err := validHost(h)
		if err == nil {
			t.Errorf("validHost(%q) = nil, want an error", h)
			continue
		}
		if !strings.Contains(err.Error(), "registry.internal:5000") {
			t.Errorf("validHost(%q) = %v: does not say what to write", h, err)
		}
	}
}

// longHost is a valid host name of n characters, in labels of at most 63.
func longHost(n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strings.Repeat("h", min(62, n-b.Len()-1)+1))
	}
	return b.String()[:n]
}

func TestAccProvider_registryHostsThatMatchNoRegistry(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	auth := func(address string) string {
		return fmt.Sprintf("registry_auth {\n  address  = %q\n  username = \"u\"\n  password = \"p\"\n}", address)
	}
	// The CLI quotes the attribute's line: the error is on it.
	on := func(attr, value string) string {
		return `(?s)Invalid Registry Host.*` + attr + `\s*= \[?` + regexp.QuoteMeta(fmt.Sprintf("%q", value)) + `.*registry\.internal:5000`
	}
	expectInvalid(t, reg, func(block string) string {
		return fmt.Sprintf("provider \"prefectimage\" {\n%s\n}\n", block) + pinOn(reg.Host())
	}, []invalidCase{
		{"auth query", auth("ghcr.io?x"), on("address", "ghcr.io?x")},
		{"auth two ports", auth("ghcr.io:5000:1"), on("address", "ghcr.io:5000:1")},
		{"auth wildcard", auth("*.acme.internal"), on("address", "*.acme.internal") + `.*no wildcard`},
		{"insecure query", `insecure_registries = ["ghcr.io?x"]`, on("insecure_registries", "ghcr.io?x")},
		{"insecure wildcard", `insecure_registries = ["*.internal"]`, on("insecure_registries", "*.internal")},
	})
}

// A platform is written as an image index names it; anything else matched
// nothing, and was found out only from the registry: required_platforms
// then said the image "lacks the required linux/x86_64" and advised
// excluding the release.
func TestPlatformValidator(t *testing.T) {
	for _, p := range []string{"linux/amd64", "linux/arm64/v8", "linux/arm64/v8.0", "linux/arm/v7", "linux/386", "linux/ppc64le",
		"linux/s390x", "linux/riscv64", "linux/mips64le", "linux/loong64", "windows/amd64", "darwin/arm64", "freebsd/amd64"} {
		if err := platformValidator.check(p); err != nil {
			t.Errorf("platform %q: %v, want nil", p, err)
		}
	}
	for p, want := range map[string]string{
		"linux/x86_64":             "write linux/amd64",
		"linux/x86-64":             "write linux/amd64",
		"linux/aarch64":            "write linux/arm64",
		"linux/armhf":              "write linux/arm/v7",
		"linux/armel":              "write linux/arm/v6",
		"linux/i386":               "write linux/386",
		"macos/arm64":              "write darwin/arm64",
		"unknown/unknown":          "attestation",
		"linux/unknown":            "attestation",
		"windows/amd64/10.0.17763": "OS version",
		"linux/amd64\n":            `has white space around it (split() keeps the spaces after commas, file() a last line break: trimspace() each): write "linux/amd64"`,
		"linux/amd64,linux/arm64":  "in lower case",
		"linux/am$d64":             "in lower case",
		"linux/_amd64":             "in lower case",
		// Docker lower-cases what it is given; the advice is the
		// platform in lower case, not "a malformed part".
		"Linux/AMD64":    `is not in lower case, as an image index writes platforms: write "linux/amd64"`,
		"linux/ARM64/V8": `write "linux/arm64/v8"`,
		"Linux/X86_64":   "in lower case",
		// What split(",", "linux/amd64, linux/arm64") gives.
		" linux/arm64":  `has white space around it (split() keeps the spaces after commas, file() a last line break: trimspace() each): write "linux/arm64"`,
		"linux/amd64 ":  `write "linux/amd64"`,
		" Linux/AMD64 ": `has white space around it (split() keeps the spaces after commas, file() a last line break: trimspace() each) and is not in lower case, as an image index writes platforms: write "linux/amd64"`,
	} {
		err := platformValidator.check(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("platform %q: %v, want an error saying %q", p, err, want)
		}
	}
}

func TestAccPin_platformSpellingsRefusedAtValidate(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	expectInvalid(t, reg, func(body string) string {
		return pinConfig(reg, "  tag = \"3.1.15-python3.12\"\n"+body)
	}, []invalidCase{
		{"required uname arch", `  required_platforms = ["linux/amd64", "linux/x86_64"]`,
			`(?s)Invalid Platform.*required_platforms = \[.*` + wrapped(`required_platforms[1]: platform "linux/x86_64" names its architecture as uname does; an image index names it amd64: write linux/amd64`).String()},
		{"required attestation", `  required_platforms = ["unknown/unknown"]`, `(?s)Invalid Platform.*attestation`},
		{"platform line break", `  platform = "linux/amd64\n"`, `(?s)Invalid Platform.*platform\s+= "linux/amd64\\n"`},
		{"platform two", `  platform = "linux/amd64,linux/arm64"`, `(?s)Invalid Platform.*one platform`},
		{"platform os version", `  platform = "windows/amd64/10.0.17763"`, `(?s)Invalid Platform.*OS version`},
		{"required split", `  required_platforms = split(",", "linux/amd64, linux/arm64")`,
			`(?s)Invalid Platform.*` + wrapped(`required_platforms[1]: platform " linux/arm64" has white space around it`).String() + `.*` + wrapped(`write "linux/arm64"`).String()},
	})
}

// A CA bundle with a block cut short or damaged had that block skipped in
// silence, so the registry behind that CA failed TLS verification later.
func TestAccProvider_caBundleWithDamagedBlock(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	ca := registrytest.New(t, registrytest.WithTLS()).CACertPEM()
	damaged := "-----BEGIN CERTIFICATE-----\nnot base64!!\n-----END CERTIFICATE-----\n"
	want := `(?s)Invalid CA Certificate.*ca_certificate_pem.*` + wrapped(`holds 2 PEM blocks (-----BEGIN), of which 1 can be read`).String()
	expectInvalid(t, reg, func(pem string) string {
		return fmt.Sprintf("provider \"prefectimage\" {\n  ca_certificate_pem = %q\n}\n", pem) + pinOn(reg.Host())
	}, []invalidCase{
		{"cut short after", ca + ca[:len(ca)/2], want},
		{"cut short before", ca[:len(ca)/2] + "\n" + ca, want},
		{"damaged after", ca + damaged, want},
		{"damaged before", damaged + ca, want},
	})
	// A whole bundle, with a key or text beside it, is read as before.
	for _, pem := range []string{ca + ca, ca + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "corp CA\n" + ca + "\n"} {
		if err := pemValidator.check(pem); err != nil {
			t.Errorf("pemValidator: %v", err)
		}
	}
}

// A registry_auth username or password read with file() keeps the file's
// last line break, which docker login --password-stdin drops; sent as
// part of the login, it got a 401 that did not say why.
func TestAccProvider_registryAuthLineBreak(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	const secret = "S3cret-Token-Line"
	auth := func(username, password string) string {
		return fmt.Sprintf("registry_auth {\n  address  = %q\n  username = %q\n  password = %q\n}", reg.Host(), username, password)
	}
	cases := []invalidCase{
		{"password newline", auth("u", secret+"\n"), `(?s)Invalid Registry Credentials.*password\s+= "S3cret-Token-Line\\n".*` + wrapped(`registry_auth password ends in a line break`).String() + `.*trimspace\(file\(`},
		{"password crlf", auth("u", secret+"\r\n"), `(?s)Invalid Registry Credentials.*password.*line break`},
		{"username newline", auth("u\n", secret), `(?s)Invalid Registry Credentials.*username\s+= "u\\n".*line break`},
	}
	expectInvalid(t, reg, func(block string) string {
		return fmt.Sprintf("provider \"prefectimage\" {\n%s\n}\n", block) + pinOn(reg.Host())
	}, cases)
	for _, pw := range []string{secret + "\n", secret + "\r\n"} {
		if err := credentialLineValidator("password").check(pw); err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("password check: %v: want an error that does not quote the password", err)
		}
	}
}

// Guard: selector inputs known only after apply (from another resource)
// are validated once known; the plan does not fail on them.
func TestAccPin_inputsKnownOnlyAfterApply(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"})
	later := func(v string) string { return fmt.Sprintf("length(terraform_data.r.id) > 0 ? %s : %s", v, v) }
	for name, body := range map[string]string{
		"data source platform, required_platforms entry, tag": fmt.Sprintf("data \"prefectimage_pin\" \"p\" {\n  tag = %s\n  platform = %s\n  required_platforms = [%s]\n}",
			later(`"3.1.15-python3.12"`), later(`"linux/amd64"`), later(`"linux/arm64"`)),
		"resource required_platforms entry, python_version": fmt.Sprintf("resource \"prefectimage_pin\" \"p\" {\n  python_version = %s\n  required_platforms = [%s]\n}",
			later(`"3.12"`), later(`"linux/amd64"`)),
		"releases filters": fmt.Sprintf("data \"prefectimage_releases\" \"p\" {\n  prefect_version = %s\n  python_version = %s\n  flavor = %s\n}",
			later(`"~> 3.1.0"`), later(`"3.12"`), later(`"standard"`)),
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: "resource \"terraform_data\" \"r\" {}\n" + providerConfig(reg) + body}},
			})
		})
	}
}

// Guard: changing provider settings keeps an existing pin as it is, and
// a bad setting fails the plan on its attribute and changes nothing.
func TestAccPinResource_providerSettingsChangeNoPin(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12", "3.1.14-python3.12"})
	pin := `  prefect_version    = "~> 3.1.0"
  required_platforms = ["linux/amd64"]`
	digest := statecheck.ExpectKnownValue("prefectimage_pin.test", tfjsonpath.New("digest"), knownvalue.StringExact(mustDigest(t, reg, "3.1.15-python3.12")))
	settings := `
provider "prefectimage" {
  repository          = %q
  request_timeout     = "7s"
  max_retries         = 0
  listing_timeout     = "1m"
  insecure_registries = ["registry.internal:5000"]
  registry_auth {
    address  = "ghcr.io"
    username = "u"
    password = "p"
  }
}
resource "prefectimage_pin" "test" {
%s
}
resource "terraform_data" "pool" {
  input = prefectimage_pin.test.ref
}`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            pinConfig(reg, pin),
			ConfigStateChecks: []statecheck.StateCheck{digest},
		}, {
			Config:            fmt.Sprintf(settings, reg.Host()+"/"+prefectRepo, pin),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{digest},
		}, {
			Config:      strings.Replace(fmt.Sprintf(settings, reg.Host()+"/"+prefectRepo, pin), `"7s"`, `"7"`, 1),
			ExpectError: regexp.MustCompile(`(?s)Invalid Duration.*request_timeout\s+= "7"`),
		}, {
			Config:            pinConfig(reg, pin),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{digest},
		}},
	})
}
