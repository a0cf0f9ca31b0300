package registry

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A registry reached over HTTPS whose ping (GET /v2/) redirects to plain
// HTTP: go-containerregistry's ping followed it and took the registry for
// a plain HTTP one, so that every later request, with the Basic
// credentials, went over plain HTTP. The redirect is refused, as for tag
// lists and manifests.
func TestRedteam5PingRedirectToPlainHTTPRefused(t *testing.T) {
	const reg = "registry.redteam5.test"
	var mu sync.Mutex
	var plain []string
	h := &hosts{handlers: map[string]http.Handler{reg: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Scheme == "http" {
			mu.Lock()
			plain = append(plain, r.Method+" "+r.URL.Path+" Authorization: "+r.Header.Get("Authorization"))
			mu.Unlock()
		}
		switch _, _, ok := r.BasicAuth(); {
		case r.URL.Scheme == "https" && r.URL.Path == "/v2/":
			http.Redirect(w, r, "http://"+reg+"/v2/", http.StatusMovedPermanently)
		case !ok:
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		default:
			listTwoTags(w, r)
		}
	})}}
	c := hostsClient(t, h, Config{MaxRetries: 0, Credentials: []Credential{{Host: reg, Username: "u", Password: "redteam5-password"}}})
	got, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/prefect"))
	if err == nil || !strings.Contains(err.Error(), "from HTTPS to plain HTTP") {
		t.Errorf("got %v, %v; want an error saying the redirect to plain HTTP was refused", got, err)
	}
	if len(plain) > 0 {
		t.Errorf("requests sent over plain HTTP to a registry reached over HTTPS:\n%s", strings.Join(plain, "\n"))
	}
}

// An error answer of the handshake (the ping, the token endpoint) with a
// body over 64 KiB kept no status: go-containerregistry failed with "body
// exceeds 65536 byte limit", so a 503 or 429 was not retried and a 401 was
// no refusal of the credentials. The body is dropped and the status kept,
// as for the Client's own requests (TestHostileHugeErrorBodies).
func TestRedteam5HandshakeHugeErrorBodyKeepsStatus(t *testing.T) {
	const reg, auth = "registry.redteam5.test", "auth.redteam5.test"
	huge := strings.Repeat("<p>busy</p>", 7<<10) // 77 KiB
	for _, tc := range []struct {
		where    string
		code     int
		attempts int64
		is       func(error) bool
	}{
		{"token", http.StatusServiceUnavailable, 3, func(err error) bool { return statusOf(err) == http.StatusServiceUnavailable }},
		{"token", http.StatusUnauthorized, 1, IsUnauthorized},
		{"ping", http.StatusTooManyRequests, 3, IsRateLimited},
	} {
		t.Run(fmt.Sprintf("%s %d", tc.where, tc.code), func(t *testing.T) {
			var n atomic.Int64
			fail := func(w http.ResponseWriter) {
				n.Add(1)
				w.WriteHeader(tc.code)
				fmt.Fprint(w, huge)
			}
			h := &hosts{handlers: map[string]http.Handler{
				reg: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if tc.where == "ping" {
						fail(w)
						return
					}
					w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+auth+`/token",service="registry"`)
					writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
				}),
				auth: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fail(w) }),
			}}
			c := hostsClient(t, h, Config{MaxRetries: 2})
			c.sleep = func(context.Context, time.Duration) error { return nil }
			_, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/prefect"))
			if !tc.is(err) || n.Load() != tc.attempts {
				t.Errorf("got %v after %d attempts, want HTTP %d after %d", err, n.Load(), tc.code, tc.attempts)
			}
			if err != nil && strings.Contains(err.Error(), "busy") {
				t.Errorf("the error quotes a body over 64 KiB: %.300s", err)
			}
		})
	}
}
