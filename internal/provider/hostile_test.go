package provider

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Registries that are not shaped like Docker Hub, or that misbehave, through
// the Terraform CLI: the right pin or a clear error, never a wrong pin.

// The selectors that picked old releases on a registry whose order is not
// lexical (it takes last by position) pick what they pick on Docker Hub.
func TestAccHostile_wrongOrderRegistry(t *testing.T) {
	isolateHome(t)
	config := func(reg *registrytest.Registry) string {
		return providerConfig(reg) + `
data "prefectimage_pin" "p38" {
  prefect_version = "~> 3.8.0"
  python_version  = "3.12"
}
data "prefectimage_pin" "p220" {
  prefect_version = "~> 2.20"
  python_version  = "3.11"
  flavor          = "kubernetes"
}
data "prefectimage_pin" "p34" {
  prefect_version = ">= 3.4, < 3.5"
}
`
	}
	want := map[string]string{
		"data.prefectimage_pin.p38":  "3.8.3-python3.12",
		"data.prefectimage_pin.p220": "2.20.25-python3.11-kubernetes",
		"data.prefectimage_pin.p34":  "3.4.25-python3.14",
	}
	for _, shape := range []string{"positional-shuffled", "positional-moved", "positional-reversed"} {
		t.Run(shape, func(t *testing.T) {
			var opts []registrytest.Option
			for _, s := range registrytest.Shapes() {
				if s.Name == shape {
					opts = s.Opts
				}
			}
			reg := newSeededRegistry(t, nil, opts...)
			var checks []statecheck.StateCheck
			for addr, tag := range want {
				checks = append(checks,
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tag"), knownvalue.StringExact(tag)),
					expectStateString{addr, "digest", digestOf(t, reg, tag)})
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: config(reg), ConfigStateChecks: checks}},
			})
		})
	}
}

// A tag list that never ends (every page links a fresh one) fails the plan
// at the page bound with an error that names it, instead of reading on.
func TestAccHostile_endlessTagList(t *testing.T) {
	isolateHome(t)
	var pages atomic.Int64
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/tags/list") {
				next.ServeHTTP(w, r)
				return
			}
			i := pages.Add(1)
			tag := fmt.Sprintf("3.4.%d-python3.12", 1000000+i)
			w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=1000&last=%s>; rel="next"`, prefectRepo, tag))
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"name":%q,"tags":[%q]}`, prefectRepo, tag)
		})
	}))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `
data "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
}
`,
			ExpectError: regexp.MustCompile(`(?s)Registry Tag Listing Exceeded Its Bounds.*` + regexp.QuoteMeta(reg.Host()) + `.*did\s+not\s+end\s+within\s+2500\s+pages`),
		}},
	})
	if n := pages.Load(); n > 2500 {
		t.Errorf("%d tag list pages read, beyond the bound of 2500", n)
	}
}

// A tag list redirected to another host is refused, naming both hosts; the
// other host's tags never become a pin.
func TestAccHostile_redirectToAnotherHost(t *testing.T) {
	isolateHome(t)
	other := newSeededRegistry(t, []string{"3.4.99-python3.12"})
	reg := newSeededRegistry(t, driftTags, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/tags/list") || strings.Contains(r.URL.Path, "/manifests/") {
				http.Redirect(w, r, "http://"+other.Host()+r.URL.RequestURI(), http.StatusTemporaryRedirect)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	for _, block := range []string{
		`prefect_version = "~> 3.4.0"`,
		`tag = "3.4.2-python3.12"`,
	} {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      providerConfig(reg) + "data \"prefectimage_pin\" \"test\" {\n  " + block + "\n}\n",
				ExpectError: regexp.MustCompile(`(?s)` + regexp.QuoteMeta(reg.Host()) + `\s+redirected\s+the\s+request\s+to\s+another\s+host,\s+` + regexp.QuoteMeta(other.Host())),
			}},
		})
	}
}

// A token endpoint that quotes back the Docker config's identity token (sent
// as the OAuth refresh_token), the password and the Authorization header,
// in its message and in other JSON fields: none of them reaches a
// diagnostic or the TF_LOG=trace log.
func TestAccHostile_tokenEndpointEchoesSecrets(t *testing.T) {
	dockerConfig := isolateHome(t)
	const identity = "idtok-3b7c1e9f5a2d8c4e6b0a"
	const password = "Echo-Me-Passw0rd"
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			_ = r.ParseForm()
			refresh := r.Form.Get("refresh_token")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"errors":        []map[string]string{{"code": "DENIED", "message": "refresh_token " + refresh + " refused; " + r.Header.Get("Authorization")}},
				"refresh_token": refresh,
				"access_token":  "acc-" + refresh,
				"detail":        password,
			})
			return
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="x"`, srv.URL))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"auth"}]}`)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	cfg, _ := json.Marshal(map[string]any{"auths": map[string]any{host: map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte("me:" + password)), "identitytoken": identity,
	}}})
	if err := os.WriteFile(filepath.Join(dockerConfig, "config.json"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_LOG_PATH", logFile)
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	secrets := []string{identity, password, base64.StdEncoding.EncodeToString([]byte("me:" + password))}
	noSecret := func(s string) error {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				return fmt.Errorf("%q leaked", secret)
			}
		}
		return nil
	}
	rec := &wireRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  repository  = %q
  max_retries = 0
}
data "prefectimage_pin" "test" {
  tag = "3.4.2-python3.12"
}
`, host+"/"+prefectRepo),
			ExpectError: regexp.MustCompile(`(?s)Could not.*` + regexp.QuoteMeta(host)),
		}},
	})
	if !strings.Contains(rec.text(), host) {
		t.Errorf("no diagnostic was recorded to scan:\n%s", rec.text())
	}
	if err := noSecret(rec.text()); err != nil {
		t.Errorf("diagnostics: %v:\n%s", err, rec.text())
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "registry authentication failed") {
		t.Errorf("the trace log (%d bytes) lacks the provider's lines, so it shows nothing", len(log))
	}
	for _, line := range strings.Split(string(log), "\n") {
		if err := noSecret(line); err != nil {
			t.Errorf("trace log: %v: %.400s", err, line)
		}
	}
}

// A registry that keeps an order of its own and takes last as a lexical
// bound over it skips tags when its Links are followed: the plan fails
// with a summary of its own, naming the registry and what its pages
// showed, and the advice that needs no listing, instead of a pin selected
// from part of the list.
func TestAccHostile_lastAsBoundOverOwnOrder(t *testing.T) {
	isolateHome(t)
	var tags []string
	for minor := range 3 {
		for patch := range 40 {
			for _, py := range []string{"3.10", "3.11", "3.12"} {
				tags = append(tags, fmt.Sprintf("3.%d.%d-python%s", minor+2, patch, py))
			}
		}
	}
	reg := newSeededRegistry(t, tags, registrytest.WithOrder(registrytest.Shuffled(7)), registrytest.WithMaxPageSize(100), registrytest.WithLastAsBoundOverOrder())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(reg) + `
data "prefectimage_pin" "test" {
  prefect_version = "~> 3.2"
  python_version  = "3.12"
}
`,
			ExpectError: regexp.MustCompile(`(?s)Registry Tag List Cannot Be Read Whole.*` + regexp.QuoteMeta(reg.Host()) + `.*takes\s+last\s+as\s+a\s+lexical\s+bound.*Name\s+one\s+exact\s+tag\s+with\s+tag`),
		}},
	})
}
