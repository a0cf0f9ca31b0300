package registry

import (
	"context"
	"errors"
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
		{"token", http.StatusServiceUnavailable, 3, func(err error) bool { return anyStatusOf(err) == http.StatusServiceUnavailable }},
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

// A token endpoint quoting the password as other JSON encoders escape it
// (Java's Gson: = as \u003d and ' as \u0027; PHP: / as \/; Python: é as
// \u00e9, an emoji as a surrogate pair) in a body without an errors
// array, which go-containerregistry shows as it came: scrubbed only the
// escapes Go's encoder writes, it leaked into the error and the log.
func TestRedteam5SecretQuotedInForeignJSONEscapes(t *testing.T) {
	const reg, auth = "registry.redteam5.test", "auth.redteam5.test"
	const password = "Zm9v/YmFy+cXV4='é😀"
	for _, quoted := range []string{
		`Zm9v/YmFy+cXV4\u003d\u0027\u00e9\ud83d\ude00`, // Gson and Python
		`Zm9v\/YmFy+cXV4='é😀`,                          // PHP
		`\u005a\u006d9v\/YmFy\u002bcXV4=\u0027\u00E9\uD83D\uDE00`,
	} {
		h := &hosts{handlers: map[string]http.Handler{
			reg: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+auth+`/token",service="registry"`)
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			}),
			auth: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprintf(w, `{"detail":"could not check the password \"%s\" of user u"}`, quoted)
			}),
		}}
		logs := &logRecorder{}
		c := hostsClient(t, h, Config{MaxRetries: 0, Logger: logs, Credentials: []Credential{{Host: reg, Username: "u", Password: password}}})
		_, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/prefect"))
		if err == nil {
			t.Fatal("the listing succeeded")
		}
		for what, text := range map[string]string{"error": err.Error(), "log": logs.text()} {
			if strings.Contains(text, quoted) || strings.Contains(text, password) || !strings.Contains(text, "[redacted]") {
				t.Errorf("quoted as %s, the password is not scrubbed from the %s: %s", quoted, what, text)
			}
		}
	}
	// Text holding no secret keeps its escapes.
	c := newTestClient(t, Config{Credentials: []Credential{{Host: reg, Username: "u", Password: password}}})
	if s := `{"detail":"caf\u00e9 \/ \"x\""}`; c.scrub(s) != s {
		t.Errorf("scrub(%s) = %s, want it unchanged", s, c.scrub(s))
	}
}

// A Retry-After of more delay seconds than int64 holds asks to wait as long
// as any: it was read as none, and the request retried after the backoff.
func TestRedteam5RetryAfterBeyondInt64(t *testing.T) {
	noDockerConfig(t)
	now := time.Now()
	// A sign makes it no delay seconds (1*DIGIT), and so no Retry-After
	// (TestRetryAfterNotDelaySecondsIgnored).
	for v, want := range map[string]time.Duration{"99999999999999999999": 365 * 24 * time.Hour, "-99999999999999999999": 0} {
		if d, ok := parseRetryAfter(v, now); ok != (want != 0) || d != want {
			t.Errorf("Retry-After %s: %v, %v; want %v", v, d, ok, want)
		}
	}
	var n atomic.Int64
	s := newTagServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "99999999999999999999")
		writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "slow down")
	})
	c := newTestClient(t, Config{MaxRetries: 3})
	c.sleep = func(context.Context, time.Duration) error { return nil }
	_, err := c.ListTags(context.Background(), repoOf(t, s.repo()))
	var e *Error
	if !errors.As(err, &e) || !e.RetriesSpent() || n.Load() != 1 || !strings.Contains(err.Error(), "Retry-After asked to wait") {
		t.Errorf("got %v after %d attempts, want one attempt, then an error quoting the Retry-After", err, n.Load())
	}
}
