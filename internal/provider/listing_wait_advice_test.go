package provider

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A tag listing whose registry asks (Retry-After) for a wait longer than
// what is left of listing_timeout fails at once, and the advice names
// listing_timeout, the bound that stopped it: a 429 keeps the rate limit's
// advice and adds it, a 503 gets it instead of request_timeout or
// max_retries, which would not have let the listing wait.
func TestRetryAfterPastListingTimeoutAdvice(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		summary string
		advice  []string
		not     string
	}{
		{"429", http.StatusTooManyRequests, "Registry Rate Limit Reached",
			[]string{"registry_auth", "and a tag listing's within listing_timeout too: raise listing_timeout in the provider block"}, "Raise request_timeout"},
		{"503", http.StatusServiceUnavailable, "Unable to Resolve Prefect Image",
			[]string{"A tag listing waits for Retry-After only within listing_timeout: raise it in the provider block"}, "request_timeout or max_retries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolateHome(t)
			r := registrytest.New(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					if strings.HasSuffix(req.URL.Path, "/tags/list") {
						w.Header().Set("Retry-After", "60")
						w.WriteHeader(tc.status)
						return
					}
					next.ServeHTTP(w, req)
				})
			}))
			repo, err := registry.ParseRepository(r.Host() + "/prefecthq/prefect")
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = listTagsWith(t, repo, registry.Config{MaxRetries: 3, RequestTimeout: time.Hour, ListingTimeout: 30 * time.Second})
			if el := time.Since(start); el > 10*time.Second {
				t.Errorf("failed after %s; want at once", el)
			}
			var e *registry.Error
			if !errors.As(err, &e) || !e.WaitPastListingTimeout() || strings.Contains(err.Error(), "listing_timeout") {
				t.Fatalf("err = %v; want the Retry-After past the listing timeout, in the registry's words", err)
			}
			if got := resolveErrorSummary(err); got != tc.summary {
				t.Errorf("summary %q, want %q", got, tc.summary)
			}
			detail := resolveErrorDetail(err)
			for _, want := range tc.advice {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q: %s", want, detail)
				}
			}
			if strings.Contains(detail, tc.not) {
				t.Errorf("detail has %q: %s", tc.not, detail)
			}
		})
	}
}
