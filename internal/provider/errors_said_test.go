package provider

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A loopback registry that is not running (a port nothing listens on) is
// the first error many users meet. go-containerregistry pings it over
// HTTPS and over plain HTTP, and the detail said the same failure twice,
// one `Get "…": dial tcp …: connection refused` after the other. It is said
// once, naming both addresses.
func TestAccErrors_closedPortSaidOnce(t *testing.T) {
	isolateHome(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	_ = l.Close() // nothing listens there now
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  max_retries = 0
}

data "prefectimage_pin" "test" {
  repository = "%s/prefecthq/prefect"
}
`, host),
			ExpectError: titled("Unable to Resolve Prefect Image", fmt.Sprintf(`Could not list tags in repository %[1]s/prefecthq/prefect on registry %[1]s:`+
				` Get "https://%[1]s/v2/" and "http://%[1]s/v2/": dial tcp %[1]s: connect: connection refused.`+
				` Check the registry address and the network, or try again later.`, host)),
		}},
	})
}

// titled matches an error of that summary followed by each of parts, in
// order (what Terraform prints of where, then the detail), however
// Terraform wrapped their lines.
func titled(summary string, parts ...string) *regexp.Regexp {
	pattern := `Error: ` + regexp.QuoteMeta(summary) + `\n`
	for _, p := range parts {
		pattern += `(?s:.*?)` + wrapped(p).String()
	}
	return regexp.MustCompile(pattern)
}

// A constraint that does not parse is named once. The parser's own error
// names it again ("invalid version constraint %q: …"), and again as its
// clause when it has one clause, so that the detail read `prefect_version
// "3.1.x" is not a version constraint: invalid version constraint "3.1.x":
// "3.1.x": a version has no wildcard`. The validator names the attribute
// and the value; the rest says what is wrong and what to write, as one
// sentence before the examples.
func TestConstraintErrorsNameTheValueOnce(t *testing.T) {
	for _, tc := range []struct {
		check stringCheck
		in    string
		want  string
	}{
		{versionConstraintValidator, "3.1.x", `prefect_version "3.1.x" is not a version constraint: a version has no wildcard; write "==3.1.*" (PEP 440) or "~> 3.1.0" (Terraform). Examples:`},
		{versionConstraintValidator, "~> three", `prefect_version "~> three" is not a version constraint: version "three": release part "three" is not a number. Examples:`},
		{versionConstraintValidator, " ^3.1 ", `prefect_version " ^3.1 " is not a version constraint: unknown operator in "^3.1"; Terraform uses`},
		// A version alone is not named again as the version.
		{versionConstraintValidator, "latest", `prefect_version "latest" is not a version constraint: "latest" is a tag, not a version; leave the attribute out`},
		{versionConstraintValidator, "v3.1.15", `prefect_version "v3.1.15" is not a version constraint: versions have no "v" prefix: write "3.1.15". Examples:`},
		// A question ends its sentence ("?", not "?.").
		{versionConstraintValidator, "=> 3.1", `prefect_version "=> 3.1" is not a version constraint: unknown operator "=>"; did you mean ">="? Examples:`},
		{pythonConstraintValidator, "=> 3.11", `python_version "=> 3.11" is neither a Python version nor a constraint: unknown operator "=>"; did you mean ">="? Examples:`},
		// "latest" for Python gets advice about python_version, not tags.
		{pythonConstraintValidator, "latest", `python_version "latest" is neither a Python version nor a constraint: "latest" is no Python version; leave python_version out for the highest Python published for the release and flavor, or name one, such as "3.12". Examples:`},
		// A clause of several is named, as it is not the whole value.
		{versionConstraintValidator, ">= 3.1, < three", `prefect_version ">= 3.1, < three" is not a version constraint: "< three": version "three": release part "three" is not a number. Examples:`},
		{pythonConstraintValidator, "3", `python_version "3" is neither a Python version nor a constraint: name a Python as major.minor, such as "3.12", or use a range such as ">= 3". Examples:`},
		{pythonConstraintValidator, "py3.12", `python_version "py3.12" is neither a Python version nor a constraint: write the version alone, such as "3.12". Examples:`},
		{releasesVersionValidator, "3.1.x", `prefect_version "3.1.x" is not a version constraint: a version has no wildcard;`},
		{releasesPythonValidator, "3.12.1", `python_version "3.12.1" is neither a Python version nor a constraint: image tags name Python as major.minor, such as "3.12", never a patch release. Examples:`},
	} {
		err := tc.check.check(tc.in)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v\nwant it to begin %s", tc.in, err, tc.want)
		}
	}
}

// Through the CLI, on the attribute, for the pin and the releases data
// source alike.
func TestAccErrors_constraintNamedOnce(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `
data "prefectimage_pin" "test" {
  prefect_version = "3.1.x"
}
`,
			ExpectError: titled("Invalid Prefect Version Constraint", `in data "prefectimage_pin" "test":`, `prefect_version = "3.1.x"`,
				`prefect_version "3.1.x" is not a version constraint: a version has no wildcard; write "==3.1.*" (PEP 440) or "~> 3.1.0" (Terraform).`),
		}, {
			Config: providerConfig(reg) + `
data "prefectimage_releases" "test" {
  python_version = "3"
}
`,
			ExpectError: titled("Invalid Python Version", `in data "prefectimage_releases" "test":`, `python_version = "3"`,
				`python_version "3" is neither a Python version nor a constraint: name a Python as major.minor, such as "3.12", or use a range such as ">= 3".`),
		}},
	})
}

// A registry_auth address with credentials in it (user:token@ghcr.io) is
// refused saying to write them in that block's username and password.
// It said "give the user name and password in a registry_auth block" to
// someone writing one, as if another block were wanted. An
// insecure_registries entry keeps that advice: it is in no such block.
func TestAccErrors_credentialsInRegistryAuthAddress(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, releasesTags)
	const inBlock = `write the host alone in address, such as ghcr.io or registry.internal:5000, and the user name and password in this registry_auth block's username and password`
	if err := hostValidator.check("me:Url-T0ken@ghcr.io"); err == nil || !strings.Contains(err.Error(), inBlock) {
		t.Errorf("registry_auth address: %v", err)
	}
	if err := validHost("me:Url-T0ken@ghcr.io"); err == nil || !strings.Contains(err.Error(), "give the user name and password in a registry_auth block") {
		t.Errorf("insecure_registries entry: %v", err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg, `
  registry_auth {
    address  = "me:Url-T0ken@ghcr.io"
    username = "me"
    password = "Url-T0ken"
  }
`) + `
data "prefectimage_releases" "test" {}
`,
			ExpectError: titled("Invalid Registry Host", `address = "me:Url-T0ken@ghcr.io"`,
				`the address holds credentials (user:password@ or token@ before the host); `+inBlock),
		}},
	})
}
