package registry

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A registry whose token service is another host (auth.docker.io for
// registry-1.docker.io), the token service rate-limiting the token
// requests of one repository: scopeRegistry serves every repository's
// tags and store's manifests to any token the token service issued;
// scopeTokens issues one per request but answers 429 (with retryAfter,
// when set) to a request whose scope names refuse.
const (
	scopeHost  = "reg.scope.test"
	scopeAuth  = "auth.scope.test"
	scopeRealm = "https://" + scopeAuth + "/token"
)

func scopeRegistry(s *zooStore, expired *atomic.Bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer tok-") || expired.Load() {
			ch := fmt.Sprintf(`Bearer realm=%q,service=%q`, scopeRealm, scopeHost)
			if name, _, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v2/"), "/tags/"); ok {
				ch += fmt.Sprintf(`,scope="repository:%s:pull"`, name)
			}
			w.Header().Set("WWW-Authenticate", ch)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		switch {
		case r.URL.Path == "/v2/":
			writeJSON(w, http.StatusOK, map[string]any{})
		case strings.HasSuffix(r.URL.Path, "/tags/list"):
			writeJSON(w, http.StatusOK, map[string]any{"tags": []string{"a", "b"}})
		default:
			s.serve(nil)(w, r)
		}
	}
}

func scopeTokens(refuse, retryAfter string) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Query().Get("scope"), refuse) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "too many token requests")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"token": fmt.Sprintf("tok-%d", n.Add(1))})
	}
}

// A 429 of the registry's token service, spent in one repository's
// handshake (its Retry-After beyond the budget, or its retries spent),
// stops the later token requests of the run, which fail at once naming
// the token service, and nothing else: a request that holds a valid token
// (a HEAD of a repository whose handshake was made) is sent to the
// registry, which did not rate-limit anything. It stopped every later
// request to the registry's host, each refused unsent with "the
// registry's token service … rate-limited an earlier request".
func TestRateScopeTokenServiceLimitSparesHeldTokens(t *testing.T) {
	for _, retryAfter := range []string{"3600", ""} {
		t.Run("Retry-After "+retryAfter, func(t *testing.T) {
			s := newZooStore()
			d, _ := s.image(types.OCIManifestSchema1, "linux/amd64", true)
			s.tag("a", d)
			s.tag("b", d)
			var expired atomic.Bool
			h := &hosts{handlers: map[string]http.Handler{scopeHost: scopeRegistry(s, &expired), scopeAuth: scopeTokens("acme/limited", retryAfter)}}
			c := hostsClient(t, h, Config{MaxRetries: 1, RequestTimeout: 5 * time.Second})
			var ws waits
			c.sleep = ws.sleep
			ctx := context.Background()
			held := repoOf(t, scopeHost+"/acme/held")
			if _, err := c.Head(ctx, held, "a"); err != nil {
				t.Fatalf("first HEAD: %v", err)
			}
			_, err := c.ListTags(ctx, repoOf(t, scopeHost+"/acme/limited"))
			if !IsRateLimited(err) || !strings.Contains(err.Error(), "token service ("+scopeAuth+")") {
				t.Fatalf("got %v; want the token service's rate limit", err)
			}
			before := len(h.requests())
			if got, err := c.Head(ctx, held, "b"); err != nil || got.Digest != d {
				t.Errorf("HEAD with a held token: %v, %v; want %s (requests %q)", got.Digest, err, d, h.requests()[before:])
			}
			// Another repository needs a token: not asked for again.
			before = len(h.requests())
			_, err = c.ListTags(ctx, repoOf(t, scopeHost+"/acme/other"))
			if !IsRateLimited(err) || !strings.Contains(err.Error(), "the registry's token service ("+scopeAuth+") rate-limited an earlier request of this run") {
				t.Errorf("another repository: %v; want the token service's rate limit, unsent", err)
			}
			if n := count(h.requests()[before:], "GET "+scopeAuth+"/token*"); n != 0 {
				t.Errorf("%d token requests after the token service's limit was spent: %q", n, h.requests()[before:])
			}
			// The held token expires: a new one is not asked for either.
			expired.Store(true)
			before = len(h.requests())
			_, err = c.Platforms(ctx, held, "a")
			if !IsRateLimited(err) || !strings.Contains(err.Error(), "the registry's token service ("+scopeAuth+") rate-limited an earlier request of this run") {
				t.Errorf("token expired: %v; want the token service's rate limit", err)
			}
			if n := count(h.requests()[before:], "GET "+scopeAuth+"/token*"); n != 0 {
				t.Errorf("%d token requests for an expired token after the token service's limit was spent: %q", n, h.requests()[before:])
			}
			t.Log(err)
		})
	}
}

// The time left when a Retry-After did not fit is said to the precision
// of the budget it is part of: it read "more than the 1s left of the
// 900ms allowed".
func TestRateScopeTimeLeftAsPreciseAsBudget(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodHead {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}))
	synctest.Test(t, func(t *testing.T) {
		c := f.memoryClient(t, Config{MaxRetries: 2, RequestTimeout: 300 * time.Millisecond})
		_, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "t")
		if want := "more than the 900ms left of the 900ms allowed"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v\nwant %q", err, want)
		}
	})
	for _, tc := range []struct {
		left, budget time.Duration
		want         string
	}{
		{899 * time.Millisecond, 900 * time.Millisecond, "900ms"},
		{449 * time.Millisecond, 900 * time.Millisecond, "400ms"},
		{42 * time.Millisecond, 900 * time.Millisecond, "40ms"},
		{3 * time.Millisecond, 900 * time.Millisecond, "3ms"},
		{7*time.Second + 400*time.Millisecond, 8 * time.Second, "7s"},
		{7*time.Second + 600*time.Millisecond, 8 * time.Second, "8s"},
		{400 * time.Millisecond, 8 * time.Second, "400ms"},
		{119*time.Second + 700*time.Millisecond, 2 * time.Minute, "2m0s"},
		{1234 * time.Millisecond, 1500 * time.Millisecond, "1.2s"},
		{1249 * time.Millisecond, 1250 * time.Millisecond, "1.25s"},
		{0, 900 * time.Millisecond, "0s"},
	} {
		if got := leftOf(tc.left, tc.budget).String(); got != tc.want {
			t.Errorf("leftOf(%s, %s) = %s, want %s", tc.left, tc.budget, got, tc.want)
		}
	}
}

// A Retry-After as an HTTP date is read as its delay seconds are: one in
// the far future asks for the longest wait, a year, as a delay past
// int64 does (it read "asked to wait 2562047h47m16.854775807s"); one past
// or malformed, for none (the backoff).
func TestRateScopeRetryAfterHTTPDateBounds(t *testing.T) {
	now := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"Fri, 31 Dec 9999 23:59:59 GMT", 365 * 24 * time.Hour, true},
		{now.Add(400 * 24 * time.Hour).Format(http.TimeFormat), 365 * 24 * time.Hour, true},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{"Thursday, 03-Dec-26 18:00:30 GMT", 30 * time.Second, true}, // RFC 850
		{"Thu Dec  3 18:00:30 2026", 30 * time.Second, true},         // asctime
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"Thu, 03 Dec 2026 18:00:30", 0, false},
		{"tomorrow", 0, false},
	} {
		if d, ok := parseRetryAfter(tc.v, now); d != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.v, d, ok, tc.want, tc.ok)
		}
	}
}
