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

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
)

// These tests drive the Terraform CLI against Debian's docker-registry
// (CNCF distribution 2.8) on 127.0.0.1, over HTTPS with a CA the test
// generates and htpasswd basic auth. Without the binary they skip, unless
// PREFECTIMAGE_REQUIRE_REAL_REGISTRY=1 (as in CI).

var realRegistryTags = []string{
	"3.4.1-python3.12", "3.4.2-python3.11", "3.4.2-python3.12", "3-latest",
}

// startRealRegistry starts a docker-registry seeded with realRegistryTags.
func startRealRegistry(t *testing.T) (*distributiontest.Server, map[string]string) {
	t.Helper()
	s := distributiontest.Start(t)
	digests, err := s.Seed(prefectRepo, realRegistryTags)
	if err != nil {
		t.Fatal(err)
	}
	return s, digests
}

// realProviderConfig is a provider block for s, with extra lines inside.
func realProviderConfig(s *distributiontest.Server, extra string) string {
	return fmt.Sprintf(`
provider "prefectimage" {
  repository      = %q
  request_timeout = "10s"
  max_retries     = 1
%s
}
`, s.Repository(prefectRepo), extra)
}

func caLine(s *distributiontest.Server) string {
	return fmt.Sprintf("  ca_certificate_pem = %q\n", s.CACertPEM)
}

func authBlock(host, user, password string) string {
	return fmt.Sprintf("  registry_auth {\n    address  = %q\n    username = %q\n    password = %q\n  }\n", host, user, password)
}

const realPins = `
data "prefectimage_pin" "selected" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}

resource "prefectimage_pin" "latest" {
  tag = "3-latest"
}
`

// realPinChecks: the selector picks 3.4.2-python3.12 and the resource pins
// 3-latest, both at the digests the registry holds.
func realPinChecks(s *distributiontest.Server, digests map[string]string) []statecheck.StateCheck {
	repo := s.Repository(prefectRepo)
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.prefectimage_pin.selected", tfjsonpath.New("tag"), knownvalue.StringExact("3.4.2-python3.12")),
		statecheck.ExpectKnownValue("data.prefectimage_pin.selected", tfjsonpath.New("ref"), knownvalue.StringExact(repo+"@"+digests["3.4.2-python3.12"])),
		statecheck.ExpectKnownValue("prefectimage_pin.latest", tfjsonpath.New("digest"), knownvalue.StringExact(digests["3-latest"])),
		statecheck.ExpectKnownValue("prefectimage_pin.latest", tfjsonpath.New("tagged_ref"), knownvalue.StringExact(repo+":3-latest@"+digests["3-latest"])),
	}
}

// Resolve over HTTPS on 127.0.0.1 with ca_certificate_pem, with credentials
// from a registry_auth block, then from a Docker config file; a wrong
// password and no credentials at all are refused with a 401 diagnostic
// naming the registry.
func TestAccRealRegistry_credentials(t *testing.T) {
	dockerConfig := isolateHome(t)
	s, digests := startRealRegistry(t)
	hostPattern := regexp.QuoteMeta(s.Host)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            realProviderConfig(s, caLine(s)+authBlock(s.Host, s.Username, s.Password)) + realPins,
			ConfigStateChecks: realPinChecks(s, digests),
		}, {
			Config:      realProviderConfig(s, caLine(s)+authBlock(s.Host, s.Username, "not-the-password")) + realPins,
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*` + hostPattern + `.*401 Unauthorized.*registry_auth\s+block\s+for\s+` + hostPattern),
		}, {
			Config:      realProviderConfig(s, caLine(s)) + realPins,
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*` + hostPattern + `.*401 Unauthorized.*anonymous access`),
		}, {
			// The Docker config's login for the host.
			PreConfig:         func() { writeDockerConfig(t, dockerConfig, s.Host, s.Username, s.Password) },
			Config:            realProviderConfig(s, caLine(s)) + realPins,
			ConfigStateChecks: realPinChecks(s, digests),
		}},
	})
}

// Without ca_certificate_pem the registry's certificate is refused, saying
// what to do. Listed in insecure_registries, the host is read without
// verification, and only that host: a second TLS registry, not listed,
// is still refused.
func TestAccRealRegistry_untrustedCertificate(t *testing.T) {
	isolateHome(t)
	a, digests := startRealRegistry(t)
	b, _ := startRealRegistry(t)
	auth := authBlock(a.Host, a.Username, a.Password) + authBlock(b.Host, b.Username, b.Password)
	insecureA := fmt.Sprintf("  insecure_registries = [%q]\n", a.Host)
	onB := fmt.Sprintf(`
data "prefectimage_pin" "on_b" {
  repository = %q
  tag        = "3-latest"
}
`, b.Repository(prefectRepo))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      realProviderConfig(a, auth) + realPins,
			ExpectError: regexp.MustCompile(`(?s)` + regexp.QuoteMeta(a.Host) + `.*TLS certificate could not be verified.*ca_certificate_pem.*insecure_registries`),
		}, {
			Config:            realProviderConfig(a, auth+insecureA) + realPins,
			ConfigStateChecks: realPinChecks(a, digests),
		}, {
			Config:      realProviderConfig(a, auth+insecureA) + realPins + onB,
			ExpectError: regexp.MustCompile(`(?s)` + regexp.QuoteMeta(b.Host) + `.*TLS certificate could not be verified`),
		}, {
			// b's own CA makes b trusted; a stays reachable as insecure.
			Config: realProviderConfig(a, auth+insecureA+caLine(b)) + realPins + onB,
			ConfigStateChecks: append(realPinChecks(a, digests),
				statecheck.ExpectKnownValue("data.prefectimage_pin.on_b", tfjsonpath.New("tag"), knownvalue.StringExact("3-latest"))),
		}},
	})
}

// A certificate signed by the CA given in ca_certificate_pem, but issued
// for localhost alone, reached as 127.0.0.1; then one that has expired.
// Trusting the CA cannot mend either (crypto/x509 checks the host and the
// dates before the CA), so the advice is not to add the CA but what
// would: a name the certificate holds, a new certificate, the clock. The
// same registry reached as localhost resolves.
func TestAccRealRegistry_certificateNotForHostOrExpired(t *testing.T) {
	isolateHome(t)
	named := distributiontest.StartWithCertificate(t, distributiontest.Certificate{Names: []string{"localhost"}})
	expired := distributiontest.StartWithCertificate(t, distributiontest.Certificate{Expired: true})
	digests, err := named.Seed(prefectRepo, realRegistryTags)
	if err != nil {
		t.Fatal(err)
	}
	byName := strings.Replace(named.Host, "127.0.0.1", "localhost", 1)
	pin := func(repository string) string {
		return fmt.Sprintf(`
data "prefectimage_pin" "latest" {
  repository = %q
  tag        = "3-latest"
}
`, repository)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: realProviderConfig(named, caLine(named)+authBlock(named.Host, named.Username, named.Password)) + pin(named.Repository(prefectRepo)),
			ExpectError: regexp.MustCompile(`(?s)` + regexp.QuoteMeta(named.Host) + `.*TLS certificate could not be verified.*` +
				`certificate\s+is\s+issued\s+for\s+localhost,\s+not\s+for\s+127\.0\.0\.1.*repository.*reissued.*insecure_registries`),
		}, {
			Config: realProviderConfig(expired, caLine(expired)+authBlock(expired.Host, expired.Username, expired.Password)) + pin(expired.Repository(prefectRepo)),
			ExpectError: regexp.MustCompile(`(?s)` + regexp.QuoteMeta(expired.Host) + `.*TLS certificate could not be verified.*` +
				`certificate\s+has\s+expired\s+or\s+is\s+not\s+yet\s+valid.*[Rr]enew.*clock.*insecure_registries`),
		}, {
			Config: realProviderConfig(named, caLine(named)+authBlock(byName, named.Username, named.Password)) + pin(byName+"/"+prefectRepo),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.prefectimage_pin.latest", tfjsonpath.New("digest"), knownvalue.StringExact(digests["3-latest"])),
			},
		}},
	})
}

// A pin on the real server under on_drift = "warn": the tag re-pushed
// holds the pin and warns; the new manifest deleted (the tag with it),
// then the repository deleted, hold it and warn that upstream could not
// be checked, with the server's 404. State keeps the pin throughout.
func TestAccRealRegistry_driftAndDeletion(t *testing.T) {
	isolateHome(t)
	s, digests := startRealRegistry(t)
	rec := &diagRecorder{}
	const address = "prefectimage_pin.held"
	config := realProviderConfig(s, caLine(s)+authBlock(s.Host, s.Username, s.Password)) + `
resource "prefectimage_pin" "held" {
  tag                = "3-latest"
  on_drift           = "warn"
  required_platforms = ["linux/amd64", "linux/arm64"]
}
`
	pinned := digests["3-latest"]
	var moved string
	holds := func(upstream func() string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(address, tfjsonpath.New("digest"), knownvalue.StringExact(pinned)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("ref"), knownvalue.StringExact(s.Repository(prefectRepo)+"@"+pinned)),
			expectStateString{address, "upstream_digest", upstream},
		}
	}
	emptyPlan := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: holds(func() string { return pinned }),
		}, {
			PreConfig: func() {
				rec.reset()
				var err error
				if moved, err = s.Push(prefectRepo, "3-latest"); err != nil {
					t.Fatal(err)
				}
			},
			Config:            config,
			ConfigPlanChecks:  emptyPlan,
			ConfigStateChecks: holds(func() string { return moved }),
			Check:             rec.expectWarning(`Upstream Image Moved: The tag .*3-latest was re-pushed upstream: it now points at sha256:[0-9a-f]{64}, while the pin holds ` + pinned),
		}, {
			PreConfig: func() {
				rec.reset()
				if err := s.DeleteManifest(prefectRepo, moved); err != nil {
					t.Fatal(err)
				}
			},
			Config:            config,
			ConfigPlanChecks:  emptyPlan,
			ConfigStateChecks: holds(func() string { return moved }),
			Check:             rec.expectWarning(`(?s)Upstream Image Not Checked: Could not check whether .*3-latest.* moved upstream, so the pin holds.*404 Not Found.*MANIFEST_UNKNOWN`),
		}, {
			PreConfig: func() {
				rec.reset()
				if err := s.DeleteRepository(prefectRepo); err != nil {
					t.Fatal(err)
				}
			},
			Config:            config,
			ConfigPlanChecks:  emptyPlan,
			ConfigStateChecks: holds(func() string { return moved }),
			Check:             rec.expectWarning(`(?s)Upstream Image Not Checked: .*` + regexp.QuoteMeta(s.Host) + `.*404 Not Found`),
		}},
	})
}
