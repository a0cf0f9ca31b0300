package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A plan that authenticates to a registry with a registry_auth block, rate
// limited there (an account's pull limit, a Harbor or GitLab quota), is
// not told to authenticate with a registry_auth block for that host: it
// has one. Its pins, releases and refreshes say the limit is the
// account's, with the mirror advice. A registry without a block keeps the
// advice to authenticate (TestRateLimitDiagnostics). Found in a plan of
// 44 pins over three repositories (s52-scale): every one of its 19
// rate-limit errors advised adding the block the provider block held.
func TestAccRateLimitWithRegistryAuthBlock(t *testing.T) {
	isolateHome(t)
	var limit atomic.Bool
	limit.Store(true)
	reg := newSeededRegistry(t, []string{"3.4.2-python3.12"},
		registrytest.WithBearerAuth("team", "s3cret-pass"),
		registrytest.WithMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !limit.Load() || !strings.HasSuffix(r.URL.Path, "/tags/list") {
					next.ServeHTTP(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"project quota exceeded"}]}`)
			})
		}))
	block := fmt.Sprintf(`
  registry_auth {
    address  = %q
    username = "team"
    password = "s3cret-pass"
  }`, reg.Host())
	wrong := "Authenticate for a higher limit"
	right := regexp.MustCompile(`(?s)Registry Rate Limit Reached.*The\s+requests\s+used\s+the\s+registry_auth\s+block\s+for\s+` + regexp.QuoteMeta(reg.Host()) + `,\s+so\s+the\s+limit\s+is\s+that\s+account's`)
	for name, body := range map[string]string{
		"pin data source":      `data "prefectimage_pin" "p" { prefect_version = "~> 3.4.0" }`,
		"releases data source": `data "prefectimage_releases" "r" {}`,
		"pin resource create":  `resource "prefectimage_pin" "p" { prefect_version = "~> 3.4.0" }`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := &diagRecorder{}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: rec.factories(),
				Steps: []resource.TestStep{{
					Config:      providerConfig(reg, block) + body,
					ExpectError: right,
				}},
			})
			rec.mu.Lock()
			defer rec.mu.Unlock()
			for _, d := range rec.diags {
				if strings.Contains(d, wrong) {
					t.Errorf("a plan holding a registry_auth block for %s is advised to add one:\n%s", reg.Host(), d)
				}
			}
		})
	}
	// The pin's refresh warns the same.
	t.Run("pin resource refresh", func(t *testing.T) {
		rec := &diagRecorder{}
		config := providerConfig(reg, block) + `resource "prefectimage_pin" "p" { prefect_version = "~> 3.4.0" }`
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: rec.factories(),
			Steps: []resource.TestStep{{
				PreConfig: func() { limit.Store(false) },
				Config:    config,
			}, {
				PreConfig: func() { limit.Store(true); rec.reset() },
				Config:    config,
				PlanOnly:  true,
				Check:     rec.expectWarning(`Upstream Image Not Checked.*The requests used the registry_auth block for ` + regexp.QuoteMeta(reg.Host()) + `, so the limit is that account's`),
			}},
		})
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, d := range rec.diags {
			if strings.Contains(d, wrong) {
				t.Errorf("a refresh holding a registry_auth block for %s is advised to add one:\n%s", reg.Host(), d)
			}
		}
	})
}

// The same for credentials from docker login (the Docker config): the
// requests carried them, so the limit met is that account's, and the
// advice names where they came from rather than asking to authenticate.
func TestAccRateLimitWithDockerLogin(t *testing.T) {
	dockerConfig := isolateHome(t)
	reg := newSeededRegistry(t, []string{"3.4.2-python3.12"},
		registrytest.WithBearerAuth("team", "s3cret-pass"),
		registrytest.WithMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/tags/list") {
					next.ServeHTTP(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"pull rate limit"}]}`)
			})
		}))
	writeDockerConfig(t, dockerConfig, reg.Host(), "team", "s3cret-pass")
	rec := &diagRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config:      providerConfig(reg) + `data "prefectimage_pin" "p" { prefect_version = "~> 3.4.0" }`,
			ExpectError: regexp.MustCompile(`(?s)Registry Rate Limit Reached.*The\s+requests\s+used\s+credentials\s+from\s+the\s+Docker\s+config,\s+so\s+the\s+limit\s+is\s+that\s+account's`),
		}},
	})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, d := range rec.diags {
		if strings.Contains(d, "Authenticate for a higher limit") {
			t.Errorf("a plan authenticated by docker login is advised to authenticate:\n%s", d)
		}
	}
}
