package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// The bearer handshake under the project's fault rule: a fault of the
// ping or of the token endpoint, once, is asked again within max_retries
// and the resolution (list, HEAD, Platforms) then succeeds; the same
// fault on every attempt ends in a clear error naming the registry that
// quotes no secret. A token that expires mid-listing (a 401 and its
// challenge on a later page) is refreshed by go-containerregistry's
// transport, and a fault of that refresh is a fault of the page.

const authFaultUser, authFaultPassword = "ci-bot", "auth-faults-Passw0rd"

// authFault is one way the ping or the token endpoint fails an answer.
type authFault struct {
	name string
	fail func(w http.ResponseWriter, r *http.Request, next http.Handler)
	// notForPing: the fault is an answer of a token endpoint (a 200 body
	// that holds no token); the ping's 200 has no body to read.
	notForPing bool
	// drops: the fault drops the connection (cut), which takes the
	// network (see authFaultRun).
	drops bool
}

// answered200 answers 200 with body and Content-Type ct, Content-Length
// true to the body.
func answered200(ct, body string) func(w http.ResponseWriter, r *http.Request, next http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, body)
	}
}

// cutJSON answers what the registry answers, its body cut in half, with a
// Content-Length true to what is sent: a proxy that stored a cut answer.
func cutJSON(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	body = body[:len(body)/2]
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

const proxyPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"

var authFaults = []authFault{
	{name: "500", fail: status(http.StatusInternalServerError)},
	{name: "502", fail: status(http.StatusBadGateway)},
	{name: "503", fail: status(http.StatusServiceUnavailable)},
	{name: "429", fail: status(http.StatusTooManyRequests)},
	{name: "429 Retry-After", fail: status(http.StatusTooManyRequests, "Retry-After", "1")},
	{name: "reset", fail: cut(true), drops: true},
	{name: "closed", fail: cut(false), drops: true},
	{name: "stall", fail: stall},
	{name: "cut JSON", fail: cutJSON, notForPing: true},
	{name: "HTML", fail: answered200("text/html", proxyPage)},
	{name: "no token", fail: answered200("application/json", `{"expires_in":300,"issued_at":"2026-01-02T03:04:05Z"}`), notForPing: true},
}

// authFaultRun runs check with a client with the registry's credentials
// whose waits before a retry are not taken, its request timeout 700ms. The
// client reaches r in memory, in a synctest bubble (memoryFaultClient),
// whose clock times the timeout: a stall ends at it, and every other
// answer comes at once on it. Over the loopback network a loaded CI
// machine took more than 700ms over a healthy ping or token request, and
// the attempts that fault was to fail were fewer than the test counts. A
// fault that drops the connection (f.drops) cannot be served in memory: it
// takes the network, with a request timeout of 5s, which it never waits
// for (the fault ends each attempt at once), long enough for a healthy
// answer on a loaded machine; the budget, 15s, still bounds a client that
// would not stop.
func authFaultRun(t *testing.T, r *registrytest.Registry, f authFault, retries int, check func(t *testing.T, c *Client)) {
	t.Helper()
	cfg := Config{MaxRetries: retries, RequestTimeout: 700 * time.Millisecond,
		Credentials: []Credential{{Host: r.Host(), Username: authFaultUser, Password: authFaultPassword}}}
	noWait := func(c *Client) *Client {
		c.sleep = func(context.Context, time.Duration) error { return nil }
		return c
	}
	if f.drops {
		cfg.RequestTimeout = 5 * time.Second
		check(t, noWait(faultClient(t, cfg)))
		return
	}
	synctest.Test(t, func(t *testing.T) {
		check(t, noWait(memoryFaultClient(t, r, cfg)))
	})
}

// noSecret fails when msg holds the password or the registry's token.
func noSecret(t *testing.T, r *registrytest.Registry, msg string) {
	t.Helper()
	if strings.Contains(msg, authFaultPassword) || strings.Contains(msg, r.Token()) {
		t.Errorf("the message quotes a secret: %s", msg)
	}
}

// A fault of the ping or of the token endpoint, once: retried, and the
// resolution succeeds.
// givenUp checks the error of requests that met fault on every attempt:
// an *Error naming the registry and quoting no secret, after max_retries
// (2) + 1 of them, what mw counts; a 429 is not sent again once spent (nor
// is a Retry-After retried when nothing is left of the time). It returns
// the message.
func givenUp(t *testing.T, r *registrytest.Registry, err error, mw *faultMiddleware, fault, what string) string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *Error", err)
	}
	msg := err.Error()
	noSecret(t, r, msg)
	if !strings.Contains(msg, r.Host()) {
		t.Errorf("the message does not name the registry: %s", msg)
	}
	if n := mw.failed.Load(); n != 3 && !strings.HasPrefix(fault, "429") {
		t.Errorf("%d %s, want 3 (max_retries 2): %s", n, what, msg)
	}
	return msg
}

func TestAuthFaultOnce(t *testing.T) {
	for _, kind := range []string{"ping", "token"} {
		for _, f := range authFaults {
			if kind == "ping" && f.notForPing {
				continue
			}
			t.Run(kind+" "+f.name, func(t *testing.T) {
				t.Parallel()
				mw := &faultMiddleware{kinds: []string{kind}, when: first, fail: f.fail}
				r := faultRegistry(t, []*faultMiddleware{mw}, registrytest.WithBearerAuth(authFaultUser, authFaultPassword))
				authFaultRun(t, r, f, 2, func(t *testing.T, c *Client) {
					if err := resolveAll(t, c, r); err != nil {
						noSecret(t, r, err.Error())
						t.Fatalf("one fault of the %s: %v", kind, err)
					}
				})
				if mw.failed.Load() != 1 {
					t.Errorf("%d %s requests failed, want 1", mw.failed.Load(), kind)
				}
			})
		}
	}
}

// The same fault on every attempt of the token request: max_retries+1
// attempts, then an error naming the registry that quotes no secret.
func TestAuthFaultTokenForever(t *testing.T) {
	for _, f := range authFaults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{"token"}, when: always, fail: f.fail}
			r := faultRegistry(t, []*faultMiddleware{mw}, registrytest.WithBearerAuth(authFaultUser, authFaultPassword))
			authFaultRun(t, r, f, 2, func(t *testing.T, c *Client) {
				start := time.Now()
				_, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
				withinBudget(t, start, c)
				msg := givenUp(t, r, err, mw, f.name, "token requests")
				if r.Counts().ListPage != 0 {
					t.Error("the tag list was asked for without a token")
				}
				t.Log(msg)
			})
		})
	}
}

// The same fault on every attempt of the ping: max_retries+1 attempts,
// then an error naming the registry; an HTML page for every ping is no
// registry's answer, and the repository's own tag list, asked instead,
// carries the challenge (htmlPage).
func TestAuthFaultPingForever(t *testing.T) {
	for _, f := range authFaults {
		if f.notForPing {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			mw := &faultMiddleware{kinds: []string{"ping"}, when: always, fail: f.fail}
			r := faultRegistry(t, []*faultMiddleware{mw}, registrytest.WithBearerAuth(authFaultUser, authFaultPassword))
			authFaultRun(t, r, f, 2, func(t *testing.T, c *Client) {
				start := time.Now()
				_, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
				withinBudget(t, start, c)
				if f.name == "HTML" {
					if err != nil {
						t.Fatalf("every ping an HTML page: %v", err)
					}
					return
				}
				givenUp(t, r, err, mw, f.name, "pings")
			})
		})
	}
}

// expiry answers the first attempt of the tag list's second page 401 with
// the registry's challenge, as a registry does to a token that expired:
// go-containerregistry's transport asks the token endpoint again and
// sends the page again.
func expiry() *faultMiddleware {
	return &faultMiddleware{kinds: []string{"list"}, when: func(n int64) bool { return n == 2 }, fail: func(w http.ResponseWriter, req *http.Request, _ http.Handler) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="registrytest",scope="repository:%s:pull",error="invalid_token"`, req.Host, faultRepo))
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "token expired")
	}}
}

// A token that expires mid-listing is refreshed; a fault of the refresh
// (the second token request), once, is retried with the page, and the
// listing is whole.
func TestAuthFaultTokenExpiresMidListing(t *testing.T) {
	for _, f := range append([]authFault{{name: "none"}}, authFaults...) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			exp := expiry()
			mws := []*faultMiddleware{exp}
			refresh := &faultMiddleware{kinds: []string{"token"}, when: func(n int64) bool { return n == 2 && f.fail != nil }, fail: f.fail}
			mws = append(mws, refresh)
			r := faultRegistry(t, mws, registrytest.WithBearerAuth(authFaultUser, authFaultPassword))
			authFaultRun(t, r, f, 2, func(t *testing.T, c *Client) {
				tags, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo))
				if err != nil {
					noSecret(t, r, err.Error())
					t.Fatalf("a token expired mid-listing, its refresh failing (%s) once: %v", f.name, err)
				}
				if want := slices.Sorted(slices.Values(faultTags)); !slices.Equal(tags, want) {
					t.Fatalf("tags %v, want %v", tags, want)
				}
			})
			if exp.failed.Load() != 1 {
				t.Errorf("the expiry served %d times, want 1", exp.failed.Load())
			}
			if n := r.Counts().Token; n < 2 {
				t.Errorf("%d token requests; the expired token was not refreshed", n)
			}
		})
	}
}
