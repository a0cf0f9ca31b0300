package provider

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the
// Terraform CLI that terraform-plugin-testing drives.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"prefectimage": providerserver.NewProtocol6WithError(New("test")()),
}

const prefectRepo = "prefecthq/prefect"

// isolateHome points HOME, DOCKER_CONFIG and Podman's auth file locations
// at empty temp dirs, so no test reads the developer's real Docker or
// Podman credentials. It returns DOCKER_CONFIG.
func isolateHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	dockerConfig := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dockerConfig)
	// Without a Docker config, DOCKER_AUTH_CONFIG and Podman's auth files
	// are read: none of the machine's (XDG_RUNTIME_DIR set keeps
	// /run/containers/<uid>/auth.json unread).
	t.Setenv("DOCKER_AUTH_CONFIG", "")
	t.Setenv("REGISTRY_AUTH_FILE", "")
	t.Setenv("XDG_RUNTIME_DIR", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("PREFECTIMAGE_REPOSITORY", "")
	return dockerConfig
}

var (
	sharedOnce sync.Once
	sharedReg  *registrytest.Registry
	sharedErr  error
)

// sharedRegistry is one in-process registry seeded with the full Prefect
// catalog, shared by tests that only read it. Tests that move tags start
// their own with newSeededRegistry.
func sharedRegistry(t *testing.T) *registrytest.Registry {
	t.Helper()
	sharedOnce.Do(func() {
		sharedReg, sharedErr = registrytest.Start()
		if sharedErr == nil {
			sharedErr = sharedReg.Seed(prefectRepo, tagcatalog.Prefect())
		}
	})
	if sharedErr != nil {
		t.Fatalf("shared registry: %v", sharedErr)
	}
	return sharedReg
}

// newSeededRegistry starts a registry of the test's own, seeded with the
// given tags (the whole catalog when none are given).
func newSeededRegistry(t *testing.T, tags []string, opts ...registrytest.Option) *registrytest.Registry {
	t.Helper()
	reg := registrytest.New(t, opts...)
	if len(tags) == 0 {
		tags = tagcatalog.Prefect()
	}
	if err := reg.Seed(prefectRepo, tags); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return reg
}

// providerConfig is a provider block whose default repository lives on reg.
func providerConfig(reg *registrytest.Registry, extra ...string) string {
	return fmt.Sprintf(`
provider "prefectimage" {
  repository = %q
  max_retries = 1
  request_timeout = "10s"
%s
}
`, reg.Host()+"/"+prefectRepo, strings.Join(extra, "\n"))
}

// providerConfigKnownAtApply is a provider block whose repository, repo,
// is known only after apply: it depends on a terraform_data resource.
func providerConfigKnownAtApply(repo string, extra ...string) string {
	return fmt.Sprintf(`
resource "terraform_data" "r" {}

provider "prefectimage" {
  repository = length(terraform_data.r.id) > 0 ? %q : "x/y"
%s
}
`, repo, strings.Join(extra, "\n"))
}

// writeDockerConfig writes a Docker config.json holding a login for host.
func writeDockerConfig(t *testing.T, dir, host, username, password string) {
	t.Helper()
	cfg := map[string]any{"auths": map[string]any{host: map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte(username + ":" + password)),
	}}}
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustDigest(t *testing.T, reg *registrytest.Registry, tag string) string {
	t.Helper()
	d, err := reg.Digest(prefectRepo, tag)
	if err != nil {
		t.Fatalf("digest of %s: %v", tag, err)
	}
	return d
}

// invalidCase is a configuration body that must fail at validate time with
// an error matching want.
type invalidCase struct{ name, body, want string }

// expectInvalid runs each case as a subtest: config(body) fails with an
// error matching want, and no request reaches reg.
func expectInvalid(t *testing.T, reg *registrytest.Registry, config func(body string) string, cases []invalidCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg.ResetCounts()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      config(tc.body),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if c := reg.Counts(); c.Total() != 0 {
				t.Errorf("invalid input reached the registry: %v", reg.Requests())
			}
		})
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedReg != nil {
		sharedReg.Close()
	}
	os.Exit(code)
}
