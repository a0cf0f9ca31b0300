package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Whatever a registry's 429 carries (a distribution errors array with
// TOOMANYREQUESTS, Harbor's TOO_MANY_REQUEST, GitLab's Rack::Attack
// "Retry later", Cloudflare's or nginx's page, nothing), on a tag list or
// on the token endpoint, the diagnostic is titled as a rate limit with the
// authenticate-or-mirror advice; throttling a registry answers as its own
// failure (distribution on S3's SlowDown, 500) is not, and a refusal of
// access stays one. Each answer is modelled, with its source, in
// internal/registry/zoo_ratelimit_test.go.
func TestRateLimitDiagnostics(t *testing.T) {
	const rateLimit = "Registry Rate Limit Reached"
	advice := []string{"Authenticate for a higher limit (a registry_auth block for", `repository = "mirror.example/prefecthq/prefect"`}
	for _, tc := range []struct {
		name, path  string // the path answered so, by suffix
		status      int
		contentType string
		body        string
		title       string
	}{
		{"distribution-errors", "/tags/list", 429, "application/json", `{"errors":[{"code":"TOOMANYREQUESTS","message":"Rate exceeded"}]}`, rateLimit},
		{"harbor-proxy-cache", "/tags/list", 429, "application/json; charset=utf-8", `{"errors":[{"code":"TOO_MANY_REQUEST","message":"too many requests to upstream registry"}]}`, rateLimit},
		{"gitlab-rack-attack", "/tags/list", 429, "text/plain", "Retry later\n", rateLimit},
		{"cloudflare-page", "/tags/list", 429, "text/html", "<!DOCTYPE html><html><title>This website has been temporarily rate limited | Cloudflare</title></html>", rateLimit},
		{"no-body", "/tags/list", 429, "", "", rateLimit},
		{"token-endpoint", "/token", 429, "text/plain", "Retry later\n", rateLimit},
		{"distribution-s3-slowdown", "/tags/list", 500, "application/json", `{"errors":[{"code":"UNKNOWN","message":"unknown error","detail":{"driver":"s3aws","detail":"SlowDown: Please reduce your request rate."}}]}`, "Unable to Resolve Prefect Image"},
		{"denied", "/tags/list", 403, "application/json", `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`, "Registry Denied Access to the Repository"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := registrytest.New(t, registrytest.WithBearerAuth("", ""), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					if !strings.HasSuffix(req.URL.Path, tc.path) {
						next.ServeHTTP(w, req)
						return
					}
					if tc.contentType != "" {
						w.Header().Set("Content-Type", tc.contentType)
					}
					w.WriteHeader(tc.status)
					fmt.Fprint(w, tc.body)
				})
			}))
			err := listTagsOf(t, r, 0)
			if got := resolveErrorSummary(err); got != tc.title {
				t.Fatalf("title %q, want %q, for %v", got, tc.title, err)
			}
			detail := resolveErrorDetail(err)
			for _, want := range advice {
				if has := strings.Contains(detail, want); has != (tc.title == rateLimit) {
					t.Errorf("detail has %q: %v; want %v: %s", want, has, tc.title == rateLimit, detail)
				}
			}
		})
	}
}

// Docker Hub past its pull limit answers manifest GETs 429 ("You have
// reached your pull rate limit") and HEADs 200 (a HEAD is no pull,
// docker/docs docker-hub/usage/pulls.md). A pin whose tag was re-pushed
// needs a GET to check its platforms, which meets the limit: it holds,
// warning of it. A pin refreshed after it, whose digest has not moved,
// needs only its HEAD: it refreshes without a warning. Before, the first
// pin's rate limit refused the second pin's HEAD too, and both warned.
func TestAccPinResource_pullLimitSparesHeads(t *testing.T) {
	isolateHome(t)
	faults := &faultSwitch{}
	reg := newSeededRegistry(t, []string{"3.4.2-python3.12", "2.20.20-python3.10"}, registrytest.WithMiddleware(faults.middleware))
	rec := &diagRecorder{}
	config := providerConfig(reg) + `
resource "prefectimage_pin" "moved" {
  tag                = "3.4.2-python3.12"
  required_platforms = ` + bothPlatforms + `
}

resource "prefectimage_pin" "steady" {
  tag                = "2.20.20-python3.10"
  required_platforms = ` + bothPlatforms + `
  depends_on         = [prefectimage_pin.moved] # refreshed after it
}
`
	pullLimit := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/manifests/") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"}]}`)
		return true
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: config,
		}, {
			PreConfig: func() {
				rec.reset()
				if _, err := reg.RepushPlatform(prefectRepo, "3.4.2-python3.12", "linux/arm64"); err != nil {
					t.Fatal(err)
				}
				faults.set(pullLimit)()
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(), // both pins hold
			}},
			Check: func(*terraform.State) error {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				var moved, steady int
				for _, d := range rec.diags {
					switch {
					case strings.Contains(d, ":3.4.2-python3.12@") && strings.Contains(d, "pull rate limit"):
						moved++
					case strings.Contains(d, "2.20.20-python3.10"):
						steady++
					}
				}
				if moved == 0 || steady != 0 {
					return fmt.Errorf("%d warnings of the moved pin's rate limit, %d of the steady pin; want some and none:\n%s", moved, steady, strings.Join(rec.diags, "\n"))
				}
				return nil
			},
		}},
	})
}
