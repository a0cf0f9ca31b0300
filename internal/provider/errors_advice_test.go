package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// The registry client's errors speak of registries only; the provider adds
// what to change in Terraform, naming the provider's attributes.
func TestRegistryErrorsGetTerraformAdvice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		advice []string
	}{
		{"401", http.StatusUnauthorized, []string{"registry_auth block for", "Docker config", "anonymous"}},
		{"429", http.StatusTooManyRequests, []string{"registry_auth", "docker login", `repository = "mirror.example/prefecthq/prefect"`, "max_retries"}},
		{"503", http.StatusServiceUnavailable, []string{"request_timeout or max_retries"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := registrytest.New(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					if strings.HasSuffix(req.URL.Path, "/tags/list") {
						w.WriteHeader(tc.status)
						return
					}
					next.ServeHTTP(w, req)
				})
			}))
			err := listTagsOf(t, r, 1)
			var e *registry.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v", err)
			}
			for _, word := range []string{"registry_auth", "max_retries", "request_timeout", "insecure_registries", "ca_certificate_pem", "listing_timeout"} {
				if strings.Contains(err.Error(), word) {
					t.Errorf("the registry client speaks of %s: %v", word, err)
				}
			}
			detail := resolveErrorDetail(err)
			for _, want := range tc.advice {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q: %s", want, detail)
				}
			}
		})
	}
}

// A Docker config that cannot be read: the registry client says to fix it,
// and the provider adds the Terraform way around it, a registry_auth block
// for the host.
func TestBrokenDockerConfigAdviceNamesRegistryAuth(t *testing.T) {
	dir := isolateHome(t)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"auths": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := registrytest.New(t)
	err := listTagsOf(t, r, 0)
	if err == nil || strings.Contains(err.Error(), "registry_auth") {
		t.Fatalf("the registry client's error: %v", err)
	}
	if detail := resolveErrorDetail(err); !strings.Contains(detail, "registry_auth block for "+r.Host()) {
		t.Errorf("detail lacks the registry_auth advice: %s", detail)
	}
	if got, want := resolveErrorSummary(err), "Registry Credentials Unreadable"; got != want {
		t.Errorf("summary %q, want %q: the registry is not at fault", got, want)
	}
}

// listTagsOf lists prefecthq/prefect on r with a registry client of its
// own, as the provider configures one, and returns the error.
func listTagsOf(t *testing.T, r *registrytest.Registry, maxRetries int) error {
	t.Helper()
	c, err := registry.New(registry.Config{MaxRetries: maxRetries})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := registry.ParseRepository(r.Host() + "/prefecthq/prefect")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTags(context.Background(), repo)
	return err
}

// Each listing bound gets its own advice: a timeout can be raised, Artifact
// Registry's 10,000-tag cap can only be gone around, the fixed bounds point
// to a mirror.
func TestListingBoundAdvice(t *testing.T) {
	for bound, want := range map[string]string{
		"time":  "Raise listing_timeout",
		"tags":  "Name one exact tag with tag",
		"pages": "The bound is fixed",
		"bytes": "The bound is fixed",
	} {
		err := &registry.Error{Registry: "us-docker.pkg.dev", Repository: "us-docker.pkg.dev/acme/mirror/prefect", Action: "list tags", StatusCode: http.StatusOK,
			Cause: &registry.LimitError{Bound: bound, Limit: "a bound", Reached: "a figure"}}
		if detail := resolveErrorDetail(err); !strings.Contains(detail, want) {
			t.Errorf("bound %s: detail lacks %q: %s", bound, want, detail)
		}
	}
}

// The releases data source has no tag attribute and always lists: past
// Artifact Registry's 10,000 tags its advice is another registry, not the
// pin's "name one exact tag with tag". Its other advice is the pin's.
func TestReleasesListingBoundAdvice(t *testing.T) {
	for bound, want := range map[string]string{
		"tags":  "point repository at a registry that lists every tag",
		"time":  "Raise listing_timeout",
		"pages": "The bound is fixed",
	} {
		err := &registry.Error{Registry: "us-docker.pkg.dev", Repository: "us-docker.pkg.dev/acme/mirror/prefect", Action: "list tags", StatusCode: http.StatusOK,
			Cause: &registry.LimitError{Bound: bound, Limit: "a bound", Reached: "a figure"}}
		detail := releasesErrorDetail(err)
		if !strings.Contains(detail, want) || strings.Contains(detail, "with tag") || !strings.Contains(detail, "a figure") {
			t.Errorf("bound %s: detail %q, want %q, the figure, and no tag attribute", bound, detail, want)
		}
	}
}

// A registry that answers HTTPS with plain HTTP, and may not speak it,
// gets the Terraform way to allow it: insecure_registries. The test
// registry serves plain HTTP on 127.0.0.1; addressed as 0.0.0.0, which
// Linux connects to the same listener, it is no loopback host.
func TestPlainHTTPAdviceNamesInsecureRegistries(t *testing.T) {
	isolateHome(t)
	r := registrytest.New(t)
	_, port, _ := strings.Cut(r.Host(), ":")
	host := "0.0.0.0:" + port
	repo, err := registry.ParseRepository(host + "/prefecthq/prefect")
	if err != nil {
		t.Fatal(err)
	}
	list := func(insecure ...string) error {
		return listTagsWith(t, repo, registry.Config{MaxRetries: 0, InsecureHosts: insecure})
	}
	err = list()
	var e *registry.Error
	if !errors.As(err, &e) || !e.PlainHTTP() {
		t.Fatalf("not classified as plain HTTP: %v", err)
	}
	if detail := resolveErrorDetail(err); !strings.Contains(detail, "If "+host+" serves plain HTTP and you trust the network, list it in insecure_registries.") {
		t.Errorf("detail lacks the insecure_registries advice: %s", detail)
	}
	if _, err := r.PushPlatforms("prefecthq/prefect", "3.1.15-python3.12", "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	if err := list(host); err != nil {
		t.Errorf("listed in insecure_registries: %v", err)
	}
}

// A registry that refuses, 401 error="invalid_token", every token its
// token service issues, a new one included (their clocks disagree, or it
// does not trust the key that signs them): neither the repository nor the
// credentials are at fault, and the diagnostic says so. It was *Registry
// Denied Access to the Repository*, with the advice to check the
// repository's name and the credentials.
func TestTokenInvalidDiagnostics(t *testing.T) {
	r := registrytest.New(t, registrytest.WithBearerAuth("", ""), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if !strings.HasSuffix(req.URL.Path, "/tags/list") || !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
				next.ServeHTTP(w, req)
				return
			}
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="registrytest",scope="repository:prefecthq/prefect:pull",error="invalid_token"`, req.Host))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		})
	}))
	err := listTagsOf(t, r, 0)
	if got, want := resolveErrorSummary(err), "Registry Refused Its Token Service's Token"; got != want {
		t.Errorf("title %q, want %q, for %v", got, want, err)
	}
	detail := resolveErrorDetail(err)
	for _, bad := range []string{"Check the repository's name", "Credentials come from", "does not exist"} {
		if strings.Contains(detail, bad) {
			t.Errorf("detail has %q: %s", bad, detail)
		}
	}
	if !strings.Contains(detail, `error="invalid_token"`) {
		t.Errorf("detail lacks the registry's reason: %s", detail)
	}
}

// listTagsWith lists repo's tags with a new client of cfg and returns the
// error, for tests of the advice an error gets.
func listTagsWith(t *testing.T, repo registry.Repository, cfg registry.Config) error {
	t.Helper()
	c, err := registry.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTags(context.Background(), repo)
	return err
}

// A registry whose paging no client can follow to the list's end (it takes
// last as a lexical bound over an order of its own, say) gets its own
// summary, and the advice that needs no listing (tag) or another registry;
// the releases data source, which has no tag and always lists, only the
// latter.
func TestUnreadableListAdvice(t *testing.T) {
	err := &registry.Error{Registry: "registry.example", Repository: "registry.example/acme/prefect", Action: "list tags", StatusCode: http.StatusOK,
		Cause: &registry.UnreadableListError{Why: "the registry takes last as a lexical bound over an order of its own"}}
	if got := resolveErrorSummary(err); got != "Registry Tag List Cannot Be Read Whole" {
		t.Errorf("summary %q", got)
	}
	if detail := resolveErrorDetail(err); !strings.Contains(detail, "Name one exact tag with tag") || !strings.Contains(detail, "a registry that lists every tag") {
		t.Errorf("pin detail %q, want the tag and registry advice", detail)
	}
	if detail := releasesErrorDetail(err); strings.Contains(detail, "with tag") || !strings.Contains(detail, "Listing releases needs every tag") {
		t.Errorf("releases detail %q, want the registry advice and no tag attribute", detail)
	}
}
